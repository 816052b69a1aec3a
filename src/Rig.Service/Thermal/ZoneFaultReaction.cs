using Microsoft.Extensions.Logging;
using Rig.Drivers.Faults;
using Rig.Service.Channels;
using Rig.Service.Interlocks;

namespace Rig.Service.Thermal;

/// <summary>
/// What the rig does when a zone trips (the heater is already off): raise an alarm, mark the fault on every channel
/// the zone warms and hold each of them with a <see cref="InterlockKind.ZoneTripped"/> interlock (their loops turn the
/// outputs off, their tests pause, resume is refused). Clearing the zone's fault removes both; tests stay paused for
/// the operator. Never throws: it runs on the safety watcher's timer.
/// </summary>
public sealed partial class ZoneFaultReaction
{
    private readonly RigEvents _events;
    private readonly RigState _state;
    private readonly TimeProvider _time;
    private readonly IReadOnlyDictionary<string, IReadOnlyList<string>> _channelsByZone;
    private readonly ILogger _logger;

    public ZoneFaultReaction(
        RigEvents events,
        RigState state,
        TimeProvider time,
        IReadOnlyDictionary<string, IReadOnlyList<string>> channelsByZone,
        ILogger<ZoneFaultReaction> logger)
    {
        _events = events;
        _state = state;
        _time = time;
        _channelsByZone = channelsByZone;
        _logger = logger;
    }

    public IReadOnlyList<string> ChannelsOf(string zoneId) =>
        _channelsByZone.TryGetValue(zoneId, out var channels) ? channels : [];

    public void Tripped(string zoneId, HardwareFault fault)
    {
        try
        {
            var now = _time.GetUtcNow();
            _events.Raise(new RigEvent(now, RigEventSeverity.Alarm, zoneId, RigEvent.CodeFor(fault.Kind),
                $"heater off and latched: {fault}", fault));
            foreach (var channel in ChannelsOf(zoneId))
            {
                _state.RecordFault(channel, fault.ForChannel(channel));
                _state.Interlocks.Raise(channel, new Interlock(InterlockKind.ZoneTripped, zoneId, now, $"{fault.Kind}: {fault.Message}"));
            }
        }
        catch (Exception ex)
        {
            LogReactionFailed(ex, zoneId);
        }
    }

    public void Cleared(string zoneId, HardwareFault fault)
    {
        var now = _time.GetUtcNow();
        foreach (var channel in ChannelsOf(zoneId))
        {
            _state.ClearFaults(channel, fault.Device);
            _state.Interlocks.Clear(channel, InterlockKind.ZoneTripped, zoneId, now, $"operator (zone {zoneId} fault cleared)");
        }
        _events.Raise(new RigEvent(now, RigEventSeverity.Info, zoneId, "heater.fault_cleared",
            $"operator cleared {fault.Kind}; heater may run again (paused tests stay paused until resumed)"));
    }

    public void Info(string zoneId, string code, string message) =>
        _events.Raise(new RigEvent(_time.GetUtcNow(), RigEventSeverity.Info, zoneId, code, message));

    [LoggerMessage(Level = LogLevel.Error, Message = "Zone {Zone}: reacting to a fault failed (heater is off)")]
    private partial void LogReactionFailed(Exception ex, string zone);
}
