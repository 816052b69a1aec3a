using Microsoft.Extensions.Logging;
using Rig.Drivers.Faults;
using Rig.Service.Hardware;
using Rig.Service.Interlocks;

namespace Rig.Service.Channels;

/// <summary>
/// One channel's loop: every sample period, sample the channel, record it, hand it to the observers. It owns the
/// channel's output, so it is the one that enforces the channel's interlocks: while any is active the output is
/// turned off (before the observers see the sample, and again after them if one appeared meanwhile). A device fault
/// never escapes: the output is turned off, the fault is recorded and raised, an interlock holds the channel until
/// the device answers again, and the loop goes on sampling. An exception from anything else (an observer, a bug)
/// does not end the loop either: the channel is made safe, held by a latched <see cref="InterlockKind.LoopFailed"/>
/// interlock that names it, and the next period runs as usual.
/// </summary>
public sealed partial class ChannelLoop
{
    private readonly ChannelHardware _hardware;
    private readonly ChannelSampler _sampler;
    private readonly RigState _state;
    private readonly RigEvents _events;
    private readonly IReadOnlyList<IChannelObserver> _observers;
    private readonly TimeProvider _time;
    private readonly TimeSpan _period;
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;

    public ChannelLoop(
        ChannelHardware hardware,
        RigState state,
        RigEvents events,
        IReadOnlyList<IChannelObserver> observers,
        TimeProvider time,
        TimeSpan period,
        TimeSpan deviceTimeout,
        ILogger logger)
    {
        _hardware = hardware;
        _state = state;
        _events = events;
        _observers = observers;
        _time = time;
        _period = period;
        _timeout = deviceTimeout;
        _logger = logger;
        _sampler = new ChannelSampler(hardware, state, time, deviceTimeout);
    }

    public string ChannelId => _hardware.Id;

    private InterlockBoard Interlocks => _state.Interlocks;

    public Task RunAsync(CancellationToken stoppingToken)
    {
        // Seen from the start: a loop that wedges in its very first tick must show as stuck, not as never started.
        _state.Heartbeat.Beat(StuckLoopWatch.LoopId(_hardware.Id), _time.GetUtcNow());
        return RunLoopAsync(stoppingToken);
    }

    private Task RunLoopAsync(CancellationToken stoppingToken) => PeriodicLoop.RunAsync(_period, _time, async ct =>
    {
        try
        {
            await TickAsync(ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // TickAsync guards each step; this is the last net so the loop itself never dies (only the stop ends it).
            await LoopFailedAsync("channel loop", ex, ct);
        }
        _state.Heartbeat.Beat(StuckLoopWatch.LoopId(_hardware.Id), _time.GetUtcNow());
    }, stoppingToken);

    /// <summary>One sample: exposed so tests can step a channel on a virtual clock.</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        ChannelSample sample;
        HardwareFault? clampFault;
        try
        {
            (sample, clampFault) = await _sampler.SampleAsync(cancellationToken);
        }
        catch (HardwareFaultException ex)
        {
            await HandleFaultAsync(ex.Fault.ForChannel(_hardware.Id), InterlockKind.InstrumentFault, cancellationToken);
            return;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A driver bug, or a driver's own cancellation (its internal time-out), must not kill the loop: treat it
            // as the instrument failing.
            await HandleFaultAsync(new HardwareFault(FaultKind.DeviceNotResponding, _hardware.Instrument.Device,
                $"unexpected {ex.GetType().Name}: {ex.Message}", "the service log for the stack trace", _hardware.Id), InterlockKind.InstrumentFault, cancellationToken);
            LogUnexpected(ex, _hardware.Id);
            return;
        }

        if (clampFault is not null)
        {
            // Without a force reading nobody knows the stack pressure: the cell is put in its safe state.
            await HandleFaultAsync(clampFault, InterlockKind.ClampFault, cancellationToken);
        }
        WatchZoneAge(sample.Timestamp);
        await ClearRecoveredAsync(sample, cancellationToken);
        if (Interlocks.Active(_hardware.Id).Count > 0 && sample.OutputOn && await TryOutputOffAsync(cancellationToken))
        {
            sample = sample with { OutputOn = false };
        }
        _state.RecordSample(sample);
        var version = Interlocks.Version;
        foreach (var observer in _observers)
        {
            try
            {
                await observer.OnSampleAsync(sample, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                await LoopFailedAsync(observer.GetType().Name, ex, cancellationToken);
            }
        }
        if (Interlocks.Version != version && Interlocks.Active(_hardware.Id).Count > 0)
        {
            // An observer (the pressure supervisor) raised one while the output may still be on: off now, not a period later.
            await TryOutputOffAsync(cancellationToken);
        }
    }

    private async ValueTask HandleFaultAsync(HardwareFault fault, InterlockKind kind, CancellationToken cancellationToken)
    {
        await TryOutputOffAsync(cancellationToken);
        var now = _time.GetUtcNow();
        if (_state.RecordFault(_hardware.Id, fault))
        {
            _events.Raise(new RigEvent(now, RigEventSeverity.Alarm, _hardware.Id, RigEvent.CodeFor(fault.Kind), fault.ToString(), fault));
        }
        Interlocks.Raise(_hardware.Id, new Interlock(kind, fault.Device, now, $"{fault.Kind}: {fault.Message}"));
        foreach (var observer in _observers)
        {
            try
            {
                await observer.OnFaultAsync(_hardware.Id, fault, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                await LoopFailedAsync(observer.GetType().Name, ex, cancellationToken);
            }
        }
    }

    // A zone temperature older than its limit is left out of the sample (the sampler did that) and holds the channel.
    private void WatchZoneAge(DateTimeOffset now)
    {
        if (_hardware.Zone is not { } zone)
        {
            return;
        }
        if (_sampler.StaleZone is { } why)
        {
            Interlocks.Raise(_hardware.Id, new Interlock(InterlockKind.ZoneStale, zone.Id, now, why));
        }
        else if (_state.Zone(zone.Id) is not null)
        {
            Interlocks.Clear(_hardware.Id, InterlockKind.ZoneStale, zone.Id, now, $"a fresh reading of zone {zone.Id}");
        }
    }

    // A device that answers again: its faults and interlocks are cleared, and an instrument that was lost is put back
    // to output off, because nobody knows what it did while we could not see it.
    private async ValueTask ClearRecoveredAsync(ChannelSample sample, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var instrument = _hardware.Instrument.Device;
        var instrumentFaults = _state.ClearFaults(_hardware.Id, instrument);
        if (instrumentFaults.Count > 0)
        {
            if (sample.OutputOn)
            {
                await TryOutputOffAsync(cancellationToken);
            }
            _events.Raise(new RigEvent(now, RigEventSeverity.Info, _hardware.Id, "device.recovered",
                $"{instrument} answers again; output left off"));
        }
        Interlocks.Clear(_hardware.Id, InterlockKind.InstrumentFault, instrument, now, $"{instrument} answering again");
        if (sample.Force is not null)
        {
            var clamp = _hardware.ForceSensor.Device;
            if (_state.ClearFaults(_hardware.Id, clamp).Count > 0)
            {
                _events.Raise(new RigEvent(now, RigEventSeverity.Info, _hardware.Id, "device.recovered", $"{clamp} answers again"));
            }
            Interlocks.Clear(_hardware.Id, InterlockKind.ClampFault, clamp, now, $"{clamp} answering again");
        }
    }

    // An observer that throws (an engine or recorder bug), or the loop itself, must not end the loop silently: the
    // output goes off, an alarm names it, a latched interlock holds the channel, the other observers still hear, and
    // the loop keeps sampling.
    private async ValueTask LoopFailedAsync(string where, Exception ex, CancellationToken cancellationToken)
    {
        LogLoopFailed(ex, _hardware.Id, where);
        await TryOutputOffAsync(cancellationToken);
        _events.Raise(new RigEvent(_time.GetUtcNow(), RigEventSeverity.Alarm, _hardware.Id, "channel.observer_failed",
            $"{where} failed on channel {_hardware.Id} ({ex.GetType().Name}: {ex.Message}); output off"));
        Interlocks.Raise(_hardware.Id, new Interlock(InterlockKind.LoopFailed, where, _time.GetUtcNow(),
            $"{ex.GetType().Name} in {where}: {ex.Message}; output off"));
    }

    private async ValueTask<bool> TryOutputOffAsync(CancellationToken cancellationToken)
    {
        try
        {
            await DeviceCall.WithTimeout(_hardware.Instrument.OutputOffAsync, _hardware.Instrument.Device, _timeout, _time, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogOutputOffFailed(ex, _hardware.Id);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Channel {Channel}: unexpected error while sampling")]
    private partial void LogUnexpected(Exception ex, string channel);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Channel {Channel}: {Where} threw; output off, channel held until an operator clears it")]
    private partial void LogLoopFailed(Exception ex, string channel, string where);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Channel {Channel}: could not turn the output off (will retry on the next fault or at recovery)")]
    private partial void LogOutputOffFailed(Exception ex, string channel);
}
