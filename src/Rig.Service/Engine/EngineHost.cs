using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rig.Drivers.Faults;
using Rig.Service.Channels;
using Rig.Service.Configuration;
using Rig.Service.Control;
using Rig.Service.Engine.Protocols;
using Rig.Service.Hardware;
using Rig.Service.Interlocks;
using Rig.Service.Recording;
using Rig.Service.Store;

namespace Rig.Service.Engine;

/// <summary>
/// The engine in the service: <see cref="ITestControl"/> for operators and supervisors, and the
/// <see cref="IChannelObserver"/> every channel loop feeds. Each sample goes to the channel's
/// <see cref="CyclingEngine"/> under the channel's lock; the records it produced go to the recorder, and its
/// command goes to the channel's instrument from the loop (the instrument's one owner). On construction it
/// reloads every checkpoint: a test that was running is now <see cref="RunState.Interrupted"/>, output off
/// (the worker made the rig safe at start-up), resumable from the step it was in. The channel's interlocks
/// (<see cref="InterlockBoard"/>) are the one way anything but the protocol pauses a test: a running test meeting
/// one pauses at that sample with every reason, and start and resume are refused while any is active.
/// </summary>
public sealed partial class EngineHost : ITestControl, IChannelObserver
{
    private readonly RigHardware _hardware;
    private readonly Thermal.IHeaterZoneProvenance? _heaters;
    private readonly ITestRecorder _recorder;
    private readonly RigEvents _events;
    private readonly RigState _state;
    private readonly StoreAvailability _availability;
    private readonly Lock _probeLock = new();
    private DateTimeOffset _lastProbe = DateTimeOffset.MinValue;
    private readonly RigOptions _rig;
    private readonly EngineOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<EngineHost> _logger;
    private readonly IEngineJournal _journal;
    private readonly CheckpointStore _checkpoints;
    private readonly PresetLibrary _presets;
    private readonly Dictionary<string, ChannelRun> _runs = new(StringComparer.Ordinal);
    private readonly IEngineObserver[] _engineObservers;

    public EngineHost(
        RigHardware hardware,
        ITestRecorder recorder,
        RigEvents events,
        IOptions<RigOptions> rig,
        IOptions<EngineOptions> options,
        TimeProvider time,
        ILogger<EngineHost> logger,
        RigState? state = null,
        Thermal.IHeaterZoneProvenance? heaters = null,
        StoreAvailability? availability = null,
        CheckpointStore? checkpoints = null,
        IEnumerable<IEngineObserver>? engineObservers = null)
    {
        _engineObservers = engineObservers?.ToArray() ?? [];
        _heaters = heaters;
        _hardware = hardware;
        _recorder = recorder;
        _events = events;
        _state = state ?? new RigState();
        _availability = availability ?? new StoreAvailability(_state, time);
        _rig = rig.Value;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _checkpoints = checkpoints ?? new CheckpointStore(Path.Combine(_rig.ResolveStateDirectory(), "checkpoints"));
        // A recorder that is also a journal (the SQLite store) keeps checkpoints in its own transactions; otherwise
        // they are files written after the records.
        _journal = recorder as IEngineJournal ?? new RecorderJournal(recorder, _checkpoints);
        _presets = new PresetLibrary(string.IsNullOrWhiteSpace(_options.PresetDirectory) ? null : _options.PresetDirectory);
        foreach (var channelId in hardware.Channels.Keys)
        {
            _runs[channelId] = new ChannelRun();
        }
        Recover();
    }

    public PresetLibrary Presets => _presets;

    public async Task<CommandResult> StartAsync(StartTestRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!_hardware.Channels.TryGetValue(request.ChannelId, out var channel) || !_runs.TryGetValue(request.ChannelId, out var run))
        {
            return CommandResult.Refused($"no channel '{request.ChannelId}' (channels: {string.Join(", ", _hardware.Channels.Keys)})");
        }
        if ((request.Preset is null) == (request.ProtocolText is null))
        {
            return CommandResult.Refused("give either a preset name or a protocol text, not both or neither");
        }
        string? text;
        ProtocolPlan plan;
        try
        {
            text = request.ProtocolText ?? _presets.Text(request.Preset!);
            if (text is null)
            {
                return CommandResult.Refused($"no preset '{request.Preset}' (presets: {string.Join(", ", _presets.Names())})");
            }
            plan = ProtocolCompiler.Compile(text, request.Parameters);
        }
        catch (ProtocolException ex)
        {
            return CommandResult.Refused(ex.Message);
        }
        if (ProtocolFit.Problem(plan, channel) is { } misfit)
        {
            return CommandResult.Refused(misfit);
        }
        if (HeldBy(request.ChannelId) is { } held)
        {
            return CommandResult.Refused($"channel {request.ChannelId} is held: {held}");
        }
        var instrument = await TestProvenance.IdentifyAsync(channel.Instrument, _rig.DeviceTimeout, _time, _logger, cancellationToken);
        var calibration = TestProvenance.CalibrationJson(channel);
        return await UnderGateAsync(run, () =>
        {
            if (run.Engine is { } existing && RunTransitions.HoldsChannel(existing.State.State))
            {
                return (CommandResult.Refused($"channel {request.ChannelId} already runs test {existing.State.TestId} ({existing.State.State})"), default);
            }
            var now = _time.GetUtcNow();
            var testId = $"{_rig.Id}-{request.ChannelId}-{now:yyyyMMdd'T'HHmmss'Z'}";
            var start = new TestStartRecord(testId, _rig.Id, request.ChannelId, now, channel.Options.Cell, plan.Name, text, plan.Parameters,
                TestProvenance.SoftwareVersion, calibration, request.Operator, request.Notes,
                _heaters?.Current(channel.Options.HeaterZone), instrument);
            run.Engine = CyclingEngine.Start(plan, start, channel.Options.Cell.AreaCm2);
            var batch = TakeBatch(run, now, checkpoint: true);
            batch.Events.Add(new RigEvent(now, RigEventSeverity.Info, request.ChannelId, "engine.test_started", $"test {testId} started: {plan.Name}"));
            return (CommandResult.Ok($"started {plan.Name}", testId), batch);
        }, cancellationToken);
    }

    public Task<CommandResult> PauseAsync(string channelId, string reason, CancellationToken cancellationToken) =>
        MarkRunning(channelId, engine => engine.RequestPause(reason), $"pause requested ({reason}); output off at the next sample") is { } marked
            ? Task.FromResult(marked)
            : CommandAsync(channelId, engine => engine.RequestPause(reason), $"pause requested ({reason}); output off at the next sample", cancellationToken);

    public Task<CommandResult> ResumeAsync(string channelId, CancellationToken cancellationToken) =>
        HeldBy(channelId) is { } held
            ? Task.FromResult(CommandResult.Refused($"channel {channelId} is held, resume refused: {held}"))
            : CommandAsync(channelId, engine => engine.Resume(), "resumed from the step it was in", cancellationToken);

    /// <summary>Every interlock holding the channel, as one sentence, or null when none does.</summary>
    private string? HeldBy(string channelId) =>
        _state.Interlocks.Active(channelId) is { Count: > 0 } active ? InterlockBoard.Describe(active) : null;

    public Task<CommandResult> AbortAsync(string channelId, string reason, CancellationToken cancellationToken) =>
        MarkRunning(channelId, engine => engine.RequestAbort(reason, _time.GetUtcNow()), $"abort requested ({reason})") is { } marked
            ? Task.FromResult(marked)
            : CommandAsync(channelId, engine => engine.RequestAbort(reason, _time.GetUtcNow()), $"abort requested ({reason})", cancellationToken);

    // An abort or pause of a running test only marks it for the next sample (the loop's safe point, where the engine
    // turns the output off and records why, committed with that sample): nothing to store now, so it takes the channel's
    // lock only, never the gate the loop holds while its records and checkpoint are committed (an fsync). The reply no
    // longer waits for the loop's commit nor for one of its own. A test in any other state goes the full way: an abort
    // of a paused test ends it here, and its end record is stored before the reply.
    private CommandResult? MarkRunning(string channelId, Func<CyclingEngine, bool> mark, string accepted)
    {
        if (!_runs.TryGetValue(channelId, out var run))
        {
            return null;
        }
        lock (run.Lock)
        {
            return run.Engine is { } engine && engine.State.State == RunState.Running && mark(engine)
                ? CommandResult.Ok(accepted, engine.State.TestId)
                : null;
        }
    }

    public IReadOnlyList<ChannelRunStatus> Status()
    {
        var statuses = new List<ChannelRunStatus>();
        foreach (var (channelId, run) in _runs.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            lock (run.Lock)
            {
                statuses.Add(run.Engine?.Status() ?? new ChannelRunStatus(channelId, RunState.Idle, null, null, 0, 0, null, null));
            }
        }
        return statuses;
    }

    /// <summary>ICE, average CE, cycles to 80/70 %, CCD of a channel's test so far (for dashboards); null when it has none.</summary>
    public TestEndRecord? LiveMetrics(string channelId)
    {
        if (!_runs.TryGetValue(channelId, out var run))
        {
            return null;
        }
        lock (run.Lock)
        {
            return run.Engine?.LiveMetrics(_time.GetUtcNow());
        }
    }

    public async ValueTask OnSampleAsync(ChannelSample sample, CancellationToken cancellationToken)
    {
        if (!_runs.TryGetValue(sample.ChannelId, out var run))
        {
            return;
        }
        await ProbeStorageAsync(sample.Timestamp, cancellationToken);
        if (run.RecoveryRecords is { Count: > 0 })
        {
            await UnderGateAsync(run, () => (0, new Batch(TakeRecoveryRecords(run), [], null)), cancellationToken);
        }
        Interlock? failed = null;
        PressureLimits limits = default;
        var command = await UnderGateAsync(run, () =>
        {
            if (run.Engine is not { } engine)
            {
                return (EngineCommand.None, default);
            }
            if (engine.State.State == RunState.Running && HeldBy(sample.ChannelId) is { } held)
            {
                engine.Hold(sample, $"held: {held}");
            }
            EngineCommand command;
            Batch batch;
            var where = "cycling engine";
            try
            {
                var running = engine.State.State == RunState.Running;
                command = engine.OnSample(sample);
                if (running)
                {
                    foreach (var observer in _engineObservers)
                    {
                        where = observer.GetType().Name;
                        observer.OnEngineSample(new EngineTick(sample, engine.State.TestId, engine.State.Cycle, engine.State.Instruction, engine.StepText, command));
                    }
                }
                batch = TakeBatch(run, sample.Timestamp,
                    checkpoint: engine.PositionChanged || sample.Timestamp - run.LastCheckpoint >= _options.CheckpointPeriod);
            }
            catch (Exception ex)
            {
                // An engine bug must not leave a cell under current with nobody watching: output off, test paused, an
                // alarm, and a latched LoopFailed interlock naming what threw, so the test is not resumed into the same
                // bug before an operator has read why (clear-fault). The channel loop goes on; other channels are not touched.
                command = EngineCommand.Off;
                LogEngineFailed(ex, sample.ChannelId, where);
                var reason = $"engine error in {where}: {ex.GetType().Name}: {ex.Message}";
                engine.OnFault(reason, sample.Timestamp);
                batch = TakeBatch(run, sample.Timestamp, checkpoint: true);
                batch.Events.Add(new RigEvent(sample.Timestamp, RigEventSeverity.Alarm, sample.ChannelId, "engine.error",
                    $"test {engine.State.TestId}: {reason}; output off, test paused, channel held until clear-fault"));
                failed = new Interlock(InterlockKind.LoopFailed, where, sample.Timestamp, $"{ex.GetType().Name} in {where}: {ex.Message}; output off");
            }
            limits = PressureLimits.Of(engine);
            return (command, batch);
        }, cancellationToken);
        if (failed is not null)
        {
            // Raised outside the channel's lock: the board's alarm handlers may read the engine's status.
            _state.Interlocks.Raise(sample.ChannelId, failed);
        }
        WatchProtocolPressure(sample.ChannelId, limits, sample);
        await ApplyAsync(sample.ChannelId, run, command, cancellationToken);
    }

    public async ValueTask OnFaultAsync(string channelId, HardwareFault fault, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fault);
        if (!_runs.TryGetValue(channelId, out var run))
        {
            return;
        }
        await UnderGateAsync(run, () =>
        {
            if (run.Engine is not { } engine)
            {
                return (0, default);
            }
            var now = _time.GetUtcNow();
            engine.OnFault(fault.ToString(), now);
            return (0, TakeBatch(run, now, checkpoint: true));
        }, cancellationToken);
    }

    private Task<CommandResult> CommandAsync(string channelId, Func<CyclingEngine, bool> action, string accepted, CancellationToken cancellationToken)
    {
        if (!_runs.TryGetValue(channelId, out var run))
        {
            return Task.FromResult(CommandResult.Refused($"no channel '{channelId}'"));
        }
        return UnderGateAsync(run, () =>
        {
            if (run.Engine is not { } engine)
            {
                return (CommandResult.Refused($"channel {channelId} has no test"), default);
            }
            var before = engine.State.State;
            if (!action(engine))
            {
                return (CommandResult.Refused($"test {engine.State.TestId} is {before}: that command does not apply"), default);
            }
            // An abort of a paused test ends it here: its end record goes to the store with the checkpoint that says so.
            return (CommandResult.Ok(accepted, engine.State.TestId), TakeBatch(run, _time.GetUtcNow(), checkpoint: true));
        }, cancellationToken).AsTask();
    }

    // While the storage is unavailable, one small real write every StoreProbePeriod tells when it works again; the
    // interlock then clears (recorded) and the operator may resume. Between probes nothing is written.
    private async ValueTask ProbeStorageAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var down = _state.Interlocks.InScope(InterlockBoard.RigWide).Where(i => i.Kind == InterlockKind.StoreUnavailable).Select(i => i.Source).ToList();
        if (down.Count == 0)
        {
            return;
        }
        lock (_probeLock)
        {
            if (now - _lastProbe < StoreProbePeriod)
            {
                return;
            }
            _lastProbe = now;
        }
        if (down.Contains(StoreAvailability.Database))
        {
            try
            {
                await _recorder.ProbeWritableAsync(now, cancellationToken);
                _availability.Succeeded(StoreAvailability.Database);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogProbeFailed(ex, StoreAvailability.Database);
            }
        }
        if (down.Contains(StoreAvailability.Checkpoints))
        {
            try
            {
                _checkpoints.Probe();
                _availability.Succeeded(StoreAvailability.Checkpoints);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogProbeFailed(ex, StoreAvailability.Checkpoints);
            }
        }
    }

    /// <summary>How often a held rig tries one write to see whether its storage works again.</summary>
    public static readonly TimeSpan StoreProbePeriod = TimeSpan.FromSeconds(10);

    private async ValueTask ApplyAsync(string channelId, ChannelRun run, EngineCommand command, CancellationToken cancellationToken)
    {
        if (command.Kind == EngineCommandKind.None)
        {
            return;
        }
        var channel = _hardware.Channels[channelId];
        var instrument = channel.Instrument;
        if (command.Kind is EngineCommandKind.SourceCurrent or EngineCommandKind.SourceVoltage && channel.LeadSwitch.Position != Rig.Drivers.Impedance.LeadSwitching.LeadPosition.Smu)
        {
            // The interlock: this is the one place an output is turned on, and never while the lead relay is energised
            // (or in doubt): the SMU would drive the analyser's input, or the relay would switch under current.
            await RefuseWithLeadsAwayAsync(channelId, channel, cancellationToken);
            return;
        }
        try
        {
            ValueTask call(CancellationToken ct) => command.Kind switch
            {
                EngineCommandKind.SourceCurrent => instrument.SourceCurrentAsync(command.Current, command.Voltage, ct),
                EngineCommandKind.SourceVoltage => instrument.SourceVoltageAsync(command.Voltage, command.Current, ct),
                _ => instrument.OutputOffAsync(ct),
            };
            await DeviceCall.WithTimeout(call, instrument.Device, _rig.DeviceTimeout, _time, cancellationToken);
        }
        catch (HardwareFaultException ex)
        {
            var fault = ex.Fault.ForChannel(channelId);
            _events.Raise(new RigEvent(_time.GetUtcNow(), RigEventSeverity.Alarm, channelId, RigEvent.CodeFor(fault.Kind), fault.ToString(), fault));
            await OnFaultAsync(channelId, fault, cancellationToken);
            try
            {
                await DeviceCall.WithTimeout(instrument.OutputOffAsync, instrument.Device, _rig.DeviceTimeout, _time, cancellationToken);
            }
            catch (HardwareFaultException)
            {
                LogOutputOffFailed(channelId);
            }
        }
    }

    /// <summary>One channel's test and the lock that serialises the loop and the commands.</summary>
    private sealed class ChannelRun
    {
        public Lock Lock { get; } = new();

        /// <summary>Held from an engine call until its records and checkpoint are committed: commits stay in call order.</summary>
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public bool CheckpointDue { get; set; }

        public CyclingEngine? Engine { get; set; }

        public DateTimeOffset LastCheckpoint { get; set; }

        public bool CheckpointFailing { get; set; }

        /// <summary>The end record of a test whose checkpoint was refused at start, stored with the channel's first sample.</summary>
        public List<EngineRecord>? RecoveryRecords { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage probe of the {Part} failed; channels stay held")]
    private partial void LogProbeFailed(Exception ex, string part);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not write the checkpoint of channel {Channel}")]
    private partial void LogCheckpointFailed(Exception ex, string channel);

    [LoggerMessage(Level = LogLevel.Error, Message = "Channel {Channel}: {Where} failed on a sample; output off, test paused, channel held until clear-fault")]
    private partial void LogEngineFailed(Exception ex, string channel, string where);

    [LoggerMessage(Level = LogLevel.Error, Message = "The test recorder failed; the test goes on")]
    private partial void LogRecorderFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Error, Message = "Channel {Channel}: output off failed after a command fault")]
    private partial void LogOutputOffFailed(string channel);
}
