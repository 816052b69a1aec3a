using Microsoft.Extensions.Logging;
using Rig.Drivers.Faults;
using Rig.Service.Channels;
using Rig.Service.Control;

namespace Rig.Service.Thermal;

/// <summary>
/// What the rig does when a zone trips (the heater is already off): raise an alarm, mark the fault on every
/// channel the zone warms, and pause their tests through <see cref="ITestControl"/> (when an engine is
/// registered). Clearing raises an event and removes the channel marks; tests stay paused for the operator.
/// Never throws: it runs on the safety watcher's timer.
/// </summary>
public sealed partial class ZoneFaultReaction
{
    private readonly RigEvents _events;
    private readonly RigState _state;
    private readonly TimeProvider _time;
    private readonly Func<ITestControl?> _testControl;
    private readonly IReadOnlyDictionary<string, IReadOnlyList<string>> _channelsByZone;
    private readonly ILogger _logger;

    public ZoneFaultReaction(
        RigEvents events,
        RigState state,
        TimeProvider time,
        IReadOnlyDictionary<string, IReadOnlyList<string>> channelsByZone,
        Func<ITestControl?> testControl,
        ILogger<ZoneFaultReaction> logger)
    {
        _events = events;
        _state = state;
        _time = time;
        _channelsByZone = channelsByZone;
        _testControl = testControl;
        _logger = logger;
    }

    public IReadOnlyList<string> ChannelsOf(string zoneId) =>
        _channelsByZone.TryGetValue(zoneId, out var channels) ? channels : [];

    public void Tripped(string zoneId, HardwareFault fault)
    {
        try
        {
            _events.Raise(new RigEvent(_time.GetUtcNow(), RigEventSeverity.Alarm, zoneId, RigEvent.CodeFor(fault.Kind),
                $"heater off and latched: {fault}", fault));
            foreach (var channel in ChannelsOf(zoneId))
            {
                _state.RecordFault(channel, fault.ForChannel(channel));
            }
            _ = PauseChannelsAsync(zoneId, fault);
        }
        catch (Exception ex)
        {
            LogReactionFailed(ex, zoneId);
        }
    }

    public void Cleared(string zoneId, HardwareFault fault)
    {
        foreach (var channel in ChannelsOf(zoneId))
        {
            _state.ClearFaults(channel, fault.Device);
        }
        _events.Raise(new RigEvent(_time.GetUtcNow(), RigEventSeverity.Info, zoneId, "heater.fault_cleared",
            $"operator cleared {fault.Kind}; heater may run again (paused tests stay paused until resumed)"));
    }

    public void Info(string zoneId, string code, string message) =>
        _events.Raise(new RigEvent(_time.GetUtcNow(), RigEventSeverity.Info, zoneId, code, message));

    private async Task PauseChannelsAsync(string zoneId, HardwareFault fault)
    {
        var control = _testControl();
        if (control is null)
        {
            return;
        }
        foreach (var channel in ChannelsOf(zoneId))
        {
            try
            {
                var result = await control.PauseAsync(channel, $"heater zone {zoneId}: {fault.Kind}", CancellationToken.None);
                LogPaused(channel, zoneId, result.Accepted, result.Message);
            }
            catch (Exception ex)
            {
                LogPauseFailed(ex, channel, zoneId);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {Channel} pause for zone {Zone} fault: accepted {Accepted} ({Message})")]
    private partial void LogPaused(string channel, string zone, bool accepted, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Channel {Channel}: pausing for zone {Zone}'s fault failed")]
    private partial void LogPauseFailed(Exception ex, string channel, string zone);

    [LoggerMessage(Level = LogLevel.Error, Message = "Zone {Zone}: reacting to a fault failed (heater is off)")]
    private partial void LogReactionFailed(Exception ex, string zone);
}
