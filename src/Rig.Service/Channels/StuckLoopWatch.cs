using Microsoft.Extensions.Logging;
using Rig.Service.Hardware;
using Rig.Service.Interlocks;

namespace Rig.Service.Channels;

/// <summary>
/// Declares a channel loop that stopped ticking failed. Every device call is bounded by the device time-out
/// (<see cref="DeviceCall"/>), but only a call that returns control: a driver that blocks its thread (a binding spinning
/// on data-ready, a syscall that never returns) wedges its loop where no time-out can cut it off. A loop whose last tick
/// is older than <see cref="StaleAfter"/> (the systemd watchdog's own limit, so the two agree on what is stuck, and a
/// merely slow device that answers within its time-out never reaches it) gets a latched
/// <see cref="InterlockKind.LoopFailed"/> interlock and an alarm naming it, and one attempt to turn its output off
/// from here, on a thread of its own, so a driver that blocks that call too holds nothing else. The other channels and
/// the heater zones run on. The watchdog pings stop (<c>Composition/SystemdWatchdog</c>), so under systemd the service
/// is restarted after <c>WatchdogSec=</c> and its start-up puts every output and heater off (tests come back
/// interrupted, resumable). A zone loop that stops is its own safety watcher's business (ControlLoopStalled trips it).
/// </summary>
public sealed partial class StuckLoopWatch
{
    private readonly RigHardware _hardware;
    private readonly RigState _state;
    private readonly RigEvents _events;
    private readonly TimeProvider _time;
    private readonly TimeSpan _deviceTimeout;
    private readonly ILogger _logger;
    private readonly HashSet<string> _declared = new(StringComparer.Ordinal);

    public StuckLoopWatch(RigHardware hardware, RigState state, RigEvents events, TimeProvider time, TimeSpan staleAfter, TimeSpan deviceTimeout, ILogger logger)
    {
        _hardware = hardware;
        _state = state;
        _events = events;
        _time = time;
        StaleAfter = staleAfter;
        _deviceTimeout = deviceTimeout;
        _logger = logger;
    }

    /// <summary>A channel loop whose last tick is older than this is stuck.</summary>
    public TimeSpan StaleAfter { get; }

    /// <summary>The last off attempt made for a stuck channel (tests wait on it; it may never complete).</summary>
    public Task LastOffAttempt { get; private set; } = Task.CompletedTask;

    /// <summary>Checks once a second on the rig clock until stopped.</summary>
    public Task RunAsync(CancellationToken stoppingToken) =>
        PeriodicLoop.RunAsync(TimeSpan.FromSeconds(1), _time, _ => { Check(); return Task.CompletedTask; }, stoppingToken);

    /// <summary>One pass: declares each newly stuck channel loop failed; returns the channels declared in this pass.</summary>
    public IReadOnlyList<string> Check()
    {
        var now = _time.GetUtcNow();
        var declared = new List<string>();
        foreach (var (channelId, channel) in _hardware.Channels)
        {
            if (!_state.Heartbeat.LastTicks.TryGetValue(LoopId(channelId), out var last))
            {
                continue; // not started
            }
            var silent = now - last;
            if (silent <= StaleAfter)
            {
                if (_declared.Remove(channelId))
                {
                    _events.Raise(new RigEvent(now, RigEventSeverity.Warning, channelId, "channel.loop_ticks_again",
                        $"channel {channelId}'s loop ticks again; it stays held (LoopFailed) until an operator's clear-fault"));
                }
                continue;
            }
            if (!_declared.Add(channelId))
            {
                continue;
            }
            declared.Add(channelId);
            var why = FormattableString.Invariant(
                $"channel {channelId}'s loop has not ticked for {silent.TotalSeconds:0.#} s (limit {StaleAfter.TotalSeconds:0.#} s): wedged in a call that blocks its thread ({channel.Instrument.Device} or {channel.ForceSensor.Device})");
            LogStuck(channelId, why);
            _events.Raise(new RigEvent(now, RigEventSeverity.Alarm, channelId, "channel.loop_stuck",
                $"{why}; output off attempted, systemd watchdog pings withheld"));
            _state.Interlocks.Raise(channelId, new Interlock(InterlockKind.LoopFailed, "channel loop", now, why));
            LastOffAttempt = Task.Run(() => TryOutputOffAsync(channel));
        }
        return declared;
    }

    /// <summary>The heartbeat name of a channel's loop.</summary>
    public static string LoopId(string channelId) => $"channel {channelId}";

    private async Task TryOutputOffAsync(ChannelHardware channel)
    {
        try
        {
            await DeviceCall.WithTimeout(channel.Instrument.OutputOffAsync, channel.Instrument.Device, _deviceTimeout, _time, CancellationToken.None);
        }
        catch (Exception ex)
        {
            LogOffFailed(ex, channel.Id);
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Channel {Channel}: {Why}; held (LoopFailed), output off attempted")]
    private partial void LogStuck(string channel, string why);

    [LoggerMessage(Level = LogLevel.Error, Message = "Channel {Channel}: the stuck loop's output could not be turned off from outside")]
    private partial void LogOffFailed(Exception ex, string channel);
}
