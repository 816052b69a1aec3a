using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rig.Service.Channels;
using Rig.Service.Configuration;
using Rig.Service.Control;
using Rig.Service.Hardware;
using UnitsNet;

namespace Rig.Service.Thermal;

/// <summary>The rig's heater zone controllers, one per configured zone, and the operator API over them.</summary>
public sealed class HeaterZones : IHeaterZoneControl, IDisposable
{
    private readonly Dictionary<string, HeaterZoneController> _controllers = new(StringComparer.Ordinal);

    public HeaterZones(
        RigHardware hardware,
        IOptions<RigOptions> options,
        RigState state,
        ZoneFaultReaction reaction,
        TimeProvider time,
        ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(hardware);
        foreach (var zone in hardware.Zones.Values)
        {
            _controllers[zone.Id] = new HeaterZoneController(zone, state, reaction, time, options.Value.DeviceTimeout,
                loggers.CreateLogger<HeaterZoneController>());
        }
    }

    public IReadOnlyCollection<HeaterZoneController> Controllers => _controllers.Values;

    public HeaterZoneController this[string zoneId] => _controllers[zoneId];

    public IReadOnlyList<HeaterZoneStatus> Status() => [.. _controllers.Values.Select(c => c.Status())];

    public CommandResult SetSetpoint(string zoneId, Temperature setpoint) => With(zoneId, c => c.SetSetpoint(setpoint));

    public CommandResult SetGains(string zoneId, PidGains gains) => With(zoneId, c => c.SetGains(gains));

    public CommandResult ClearFault(string zoneId) => With(zoneId, c => c.ClearFault());

    public CommandResult StartAutotune(string zoneId) => With(zoneId, c => c.StartAutotune());

    public CommandResult CancelAutotune(string zoneId) => With(zoneId, c => c.CancelAutotune());

    public CommandResult AcceptAutotune(string zoneId) => With(zoneId, c => c.AcceptAutotune());

    public void Dispose()
    {
        foreach (var controller in _controllers.Values)
        {
            controller.Dispose();
        }
    }

    private CommandResult With(string zoneId, Func<HeaterZoneController, CommandResult> command) =>
        zoneId is not null && _controllers.TryGetValue(zoneId, out var controller)
            ? command(controller)
            : CommandResult.Refused($"no heater zone '{zoneId}' (known: {string.Join(", ", _controllers.Keys)})");
}
