using Rig.Service.Channels;
using Rig.Service.Control;
using Rig.Service.Hardware;
using UnitsNet;

namespace Rig.Service.Thermal;

/// <summary>
/// The MQTT "set-heater" and "clear-fault" commands, served by the heater zones and the channel state: a latched
/// thermal fault on the channel's zone is un-latched (refused while still over the cut-off), and the channel's
/// recorded device faults are cleared so the engine may be resumed.
/// </summary>
public sealed class HeaterCommands : IHeaterCommands, IFaultCommands
{
    private readonly IHeaterZoneControl _zones;
    private readonly RigHardware _hardware;
    private readonly RigState _state;

    public HeaterCommands(IHeaterZoneControl zones, RigHardware hardware, RigState state)
    {
        _zones = zones;
        _hardware = hardware;
        _state = state;
    }

    public Task<CommandResult> SetSetpointAsync(string zoneId, Temperature setpoint, CancellationToken cancellationToken) =>
        Task.FromResult(_zones.SetSetpoint(zoneId, setpoint));

    public Task<CommandResult> ClearLatchedFaultAsync(string channelId, string? device, CancellationToken cancellationToken)
    {
        if (!_hardware.Channels.TryGetValue(channelId, out var channel))
        {
            return Task.FromResult(CommandResult.Refused($"no channel '{channelId}'"));
        }
        var cleared = new List<string>();
        if (channel.Zone is { } zone && (device is null || device == zone.Heater.Device || device == zone.Sensor.Device)
            && _zones.Status().FirstOrDefault(z => z.ZoneId == zone.Id) is { Mode: HeaterZoneMode.Faulted })
        {
            var result = _zones.ClearFault(zone.Id);
            if (!result.Accepted)
            {
                return Task.FromResult(result); // still too hot, or the cause is still there: nothing else changes
            }
            cleared.Add($"zone {zone.Id}");
        }
        var devices = _state.Channel(channelId).Faults.Select(f => f.Device).Where(d => device is null || d == device).Distinct().ToList();
        foreach (var faulted in devices)
        {
            _state.ClearFaults(channelId, faulted);
            cleared.Add(faulted);
        }
        return Task.FromResult(cleared.Count == 0
            ? CommandResult.Refused($"channel {channelId} has no latched fault{(device is null ? "" : $" on {device}")}")
            : CommandResult.Ok($"cleared: {string.Join(", ", cleared)}"));
    }
}
