using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rig.Drivers.Faults;
using Rig.Service.Channels;
using Rig.Service.Configuration;
using Rig.Service.Control;
using Rig.Service.Hardware;
using Rig.Service.Interlocks;
using UnitsNet;

namespace Rig.Service.PressureSupervision;

/// <summary>
/// Holds each channel's test inside its stack-pressure window (paper: results hold only at a measured, constant
/// pressure). Out of the window: a <see cref="InterlockKind.PressureOutOfWindow"/> interlock holds the channel (its
/// loop turns the output off, the test pauses) until the pressure is back in the window; with OnOutOfWindow=Abort the
/// test is also aborted. Over-force beyond the clamp's or load cell's rating, or beyond the fault band: output off at
/// once, alarm, interlock, abort. Warning band and drift: warnings. The engine may be absent (or refuse): the output is
/// then turned off here and the interlock still holds the channel, so the safe state never depends on the engine.
/// </summary>
public sealed partial class PressureSupervisor : IChannelObserver
{
    private readonly RigHardware _hardware;
    private readonly RigEvents _events;
    private readonly RigState _state;
    private readonly TimeProvider _time;
    private readonly ITestControl? _engine;
    private readonly TimeSpan _deviceTimeout;
    private readonly ILogger<PressureSupervisor> _logger;
    private readonly ConcurrentDictionary<string, PressureWatch> _watches = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PressureVerdict> _latest = new(StringComparer.Ordinal);

    public PressureSupervisor(RigHardware hardware, RigEvents events, RigState state, TimeProvider time, ITestControl? engine, IOptions<RigOptions> options, ILogger<PressureSupervisor> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _hardware = hardware;
        _events = events;
        _state = state;
        _time = time;
        _engine = engine;
        _deviceTimeout = options.Value.DeviceTimeout;
        _logger = logger;
    }

    /// <summary>The latest verdict per channel, for the readout and telemetry.</summary>
    public IReadOnlyDictionary<string, PressureVerdict> Latest => _latest;

    public async ValueTask OnSampleAsync(ChannelSample sample, CancellationToken cancellationToken)
    {
        if (sample.Force is not { } force || !_hardware.Channels.TryGetValue(sample.ChannelId, out var channel))
        {
            return; // no force: the loop has already raised the clamp fault and made the channel safe
        }
        var options = channel.Options;
        var watch = _watches.GetOrAdd(sample.ChannelId, _ => new PressureWatch(options.Pressure, LoadCellFactory.OverForceLimit(options.Clamp), channel.CellArea, Force.FromNewtons(options.Clamp.CalibrationStabilityNewtons)));
        var verdict = watch.Observe(sample.Timestamp, force);
        _latest[sample.ChannelId] = verdict;
        if (verdict.Events != PressureEvents.None)
        {
            await ActAsync(channel, options, sample, verdict, cancellationToken);
        }
    }

    public ValueTask OnFaultAsync(string channelId, HardwareFault fault, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    private async ValueTask ActAsync(ChannelHardware channel, ChannelOptions options, ChannelSample sample, PressureVerdict verdict, CancellationToken cancellationToken)
    {
        var id = channel.Id;
        var events = verdict.Events;
        var mean = verdict.MeanPressure?.Megapascals;
        var target = options.Pressure.TargetMegapascals;
        if (events.HasFlag(PressureEvents.OverForce))
        {
            var limit = LoadCellFactory.OverForceLimit(options.Clamp);
            var fault = new HardwareFault(FaultKind.OverForce, channel.ForceSensor.Device,
                Text($"{verdict.Force.Newtons:0} N on the clamp, rated {limit.Newtons:0} N"),
                "the clamp's preload and the cell stack: unload the clamp before anything else", id);
            await OutputOffAsync(channel, cancellationToken);
            Raise(RigEventSeverity.Alarm, id, RigEvent.CodeFor(FaultKind.OverForce), fault.ToString(), fault);
            Hold(id, InterlockKind.OverForce, channel.ForceSensor.Device, fault.Message, sample.Timestamp);
            await AskEngineAsync(id, PressureAction.Abort, "over-force", sample.OutputOn, channel, cancellationToken);
        }
        if (events.HasFlag(PressureEvents.FaultBand))
        {
            var fault = WindowFault(channel, Text($"stack pressure {mean:0.00} MPa is beyond the fault band {target:0.##} ± {options.Pressure.FaultMegapascals:0.##} MPa"));
            await OutputOffAsync(channel, cancellationToken);
            Raise(RigEventSeverity.Alarm, id, "pressure.fault_band", fault.ToString(), fault);
            Hold(id, InterlockKind.PressureOutOfWindow, channel.ForceSensor.Device, fault.Message, sample.Timestamp);
            await AskEngineAsync(id, PressureAction.Abort, "stack pressure beyond fault band", sample.OutputOn, channel, cancellationToken);
        }
        else if (events.HasFlag(PressureEvents.OutOfWindow))
        {
            var fault = WindowFault(channel, Text($"stack pressure {mean:0.00} MPa left the window {target:0.##} ± {options.Pressure.WindowMegapascals:0.##} MPa"));
            Raise(RigEventSeverity.Alarm, id, RigEvent.CodeFor(FaultKind.PressureOutOfWindow), fault.ToString(), fault);
            Hold(id, InterlockKind.PressureOutOfWindow, channel.ForceSensor.Device, fault.Message, sample.Timestamp);
            if (options.Pressure.OnOutOfWindow == PressureAction.Abort)
            {
                await AskEngineAsync(id, PressureAction.Abort, "stack pressure out of window", sample.OutputOn, channel, cancellationToken);
            }
        }
        if (events.HasFlag(PressureEvents.Warning))
        {
            Raise(RigEventSeverity.Warning, id, "pressure.warning", Text($"stack pressure {mean:0.00} MPa is more than {options.Pressure.WarningMegapascals:0.##} MPa from its {target:0.##} MPa target"));
        }
        if (events.HasFlag(PressureEvents.Drift))
        {
            Raise(RigEventSeverity.Warning, id, "pressure.drift", Text($"stack pressure drifts {verdict.DriftMegapascalsPerHour:+0.00;-0.00} MPa/h (limit {options.Pressure.MaxDriftMegapascalsPerHour:0.##}): spring relaxation, sodium creep or load-cell drift"));
        }
        if (events.HasFlag(PressureEvents.BackInWindow))
        {
            Raise(RigEventSeverity.Info, id, "pressure.in_window", Text($"stack pressure {mean:0.00} MPa is back in its window; the test stays paused until resumed"));
            _state.Interlocks.Clear(id, InterlockKind.PressureOutOfWindow, channel.ForceSensor.Device, sample.Timestamp, Text($"stack pressure back in window ({mean:0.00} MPa)"));
        }
        if (events.HasFlag(PressureEvents.OverForceCleared))
        {
            Raise(RigEventSeverity.Info, id, "pressure.over_force_cleared", Text($"clamp force {verdict.Force.Newtons:0} N is back within rating"));
            _state.Interlocks.Clear(id, InterlockKind.OverForce, channel.ForceSensor.Device, sample.Timestamp, Text($"clamp force back within rating ({verdict.Force.Newtons:0} N)"));
        }
    }

    private async ValueTask AskEngineAsync(string channelId, PressureAction action, string reason, bool outputOn, ChannelHardware channel, CancellationToken cancellationToken)
    {
        var engine = _engine;
        CommandResult? result = null;
        if (engine is not null)
        {
            try
            {
                result = action == PressureAction.Abort
                    ? await engine.AbortAsync(channelId, reason, cancellationToken)
                    : await engine.PauseAsync(channelId, reason, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogEngineFailed(ex, channelId);
            }
        }
        if (result is not { Accepted: true } && outputOn)
        {
            // No engine, or it could not act: the cell still must not go on cycling outside its pressure.
            await OutputOffAsync(channel, cancellationToken);
        }
    }

    private async ValueTask OutputOffAsync(ChannelHardware channel, CancellationToken cancellationToken)
    {
        try
        {
            await DeviceCall.WithTimeout(channel.Instrument.OutputOffAsync, channel.Instrument.Device, _deviceTimeout, _time, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogOutputOffFailed(ex, channel.Id);
        }
    }

    private void Hold(string channelId, InterlockKind kind, string device, string reason, DateTimeOffset at) =>
        _state.Interlocks.Raise(channelId, new Interlock(kind, device, at, reason));

    private static HardwareFault WindowFault(ChannelHardware channel, string message) =>
        new(FaultKind.PressureOutOfWindow, channel.ForceSensor.Device, message,
            "the clamp's springs and preload, and the load-cell calibration (date in the calibration file)", channel.Id);

    private void Raise(RigEventSeverity severity, string channelId, string code, string message, HardwareFault? fault = null) =>
        _events.Raise(new RigEvent(_time.GetUtcNow(), severity, channelId, code, message, fault));

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Error, Message = "Channel {Channel}: the test engine failed to act on a pressure rule; output turned off directly")]
    private partial void LogEngineFailed(Exception ex, string channel);

    [LoggerMessage(Level = LogLevel.Error, Message = "Channel {Channel}: could not turn the output off after a pressure rule")]
    private partial void LogOutputOffFailed(Exception ex, string channel);
}
