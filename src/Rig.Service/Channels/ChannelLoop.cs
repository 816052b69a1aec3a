using Microsoft.Extensions.Logging;
using Rig.Drivers.Faults;
using Rig.Service.Hardware;

namespace Rig.Service.Channels;

/// <summary>
/// One channel's loop: every sample period, sample the channel, record it, hand it to the observers. A device
/// fault never escapes: the output is turned off, the fault is recorded, raised as an event and handed to the
/// observers, and the loop goes on sampling so it sees the device come back.
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
    private bool _stopSeen;

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

    public Task RunAsync(CancellationToken stoppingToken) => PeriodicLoop.RunAsync(_period, _time, async ct =>
    {
        await TickAsync(ct);
        _state.Heartbeat.Beat($"channel {_hardware.Id}", _time.GetUtcNow());
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
            await HandleFaultAsync(ex.Fault.ForChannel(_hardware.Id), cancellationToken);
            return;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A driver bug must not kill the loop: treat it as the instrument failing.
            await HandleFaultAsync(new HardwareFault(FaultKind.DeviceNotResponding, _hardware.Instrument.Device,
                $"unexpected {ex.GetType().Name}: {ex.Message}", "the service log for the stack trace", _hardware.Id), cancellationToken);
            LogUnexpected(ex, _hardware.Id);
            return;
        }

        if (clampFault is not null)
        {
            // Without a force reading nobody knows the stack pressure: the cell is put in its safe state.
            await HandleFaultAsync(clampFault, cancellationToken);
        }
        await ClearRecoveredAsync(sample, cancellationToken);
        _state.RecordSample(sample);
        if (await HoldForEmergencyStopAsync(sample, cancellationToken))
        {
            return;
        }
        await NotifyAsync(observer => observer.OnSampleAsync(sample, cancellationToken), cancellationToken);
    }

    // An observer that throws (an engine or recorder bug) must not end the loop silently: the output goes off, an
    // alarm is raised, the other observers still hear, and the loop keeps sampling.
    private async ValueTask NotifyAsync(Func<IChannelObserver, ValueTask> notify, CancellationToken cancellationToken)
    {
        foreach (var observer in _observers)
        {
            try
            {
                await notify(observer);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogObserverFailed(ex, _hardware.Id, observer.GetType().Name);
                await TryOutputOffAsync(cancellationToken);
                _events.Raise(new RigEvent(_time.GetUtcNow(), RigEventSeverity.Alarm, _hardware.Id, "channel.observer_failed",
                    $"{observer.GetType().Name} failed on channel {_hardware.Id} ({ex.GetType().Name}: {ex.Message}); output off"));
            }
        }
    }

    // While the e-stop is active the channel is still watched, but its output is kept off and the observers (the
    // engine) get the stop as a fault once and no samples, so nothing downstream can turn the output back on.
    private async ValueTask<bool> HoldForEmergencyStopAsync(ChannelSample sample, CancellationToken cancellationToken)
    {
        if (!_state.EmergencyStopActive)
        {
            _stopSeen = false;
            return false;
        }
        if (sample.OutputOn)
        {
            await TryOutputOffAsync(cancellationToken);
        }
        if (!_stopSeen)
        {
            _stopSeen = true;
            var fault = new HardwareFault(FaultKind.EmergencyStop, "e-stop", "emergency stop active", "the e-stop button and its loop wiring", _hardware.Id);
            await NotifyAsync(observer => observer.OnFaultAsync(_hardware.Id, fault, cancellationToken), cancellationToken);
        }
        return true;
    }

    private async ValueTask HandleFaultAsync(HardwareFault fault, CancellationToken cancellationToken)
    {
        await TryOutputOffAsync(cancellationToken);
        if (_state.RecordFault(_hardware.Id, fault))
        {
            _events.Raise(new RigEvent(_time.GetUtcNow(), RigEventSeverity.Alarm, _hardware.Id, RigEvent.CodeFor(fault.Kind), fault.ToString(), fault));
        }
        await NotifyAsync(observer => observer.OnFaultAsync(_hardware.Id, fault, cancellationToken), cancellationToken);
    }

    // A device that answers again: its faults are cleared, and an instrument that was lost is put back to output off,
    // because nobody knows what it did while we could not see it.
    private async ValueTask ClearRecoveredAsync(ChannelSample sample, CancellationToken cancellationToken)
    {
        var instrumentFaults = _state.ClearFaults(_hardware.Id, _hardware.Instrument.Device);
        if (instrumentFaults.Count > 0)
        {
            if (sample.OutputOn)
            {
                await TryOutputOffAsync(cancellationToken);
            }
            _events.Raise(new RigEvent(_time.GetUtcNow(), RigEventSeverity.Info, _hardware.Id, "device.recovered",
                $"{_hardware.Instrument.Device} answers again; output left off"));
        }
        if (sample.Force is not null && _state.ClearFaults(_hardware.Id, _hardware.ForceSensor.Device).Count > 0)
        {
            _events.Raise(new RigEvent(_time.GetUtcNow(), RigEventSeverity.Info, _hardware.Id, "device.recovered",
                $"{_hardware.ForceSensor.Device} answers again"));
        }
    }

    private async ValueTask TryOutputOffAsync(CancellationToken cancellationToken)
    {
        try
        {
            await DeviceCall.WithTimeout(_hardware.Instrument.OutputOffAsync, _hardware.Instrument.Device, _timeout, _time, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogOutputOffFailed(ex, _hardware.Id);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Channel {Channel}: unexpected error while sampling")]
    private partial void LogUnexpected(Exception ex, string channel);

    [LoggerMessage(Level = LogLevel.Error, Message = "Channel {Channel}: observer {Observer} failed; output off")]
    private partial void LogObserverFailed(Exception ex, string channel, string observer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Channel {Channel}: could not turn the output off (will retry on the next fault or at recovery)")]
    private partial void LogOutputOffFailed(Exception ex, string channel);
}
