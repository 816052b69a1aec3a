using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using Rig.Service.Configuration;
using Rig.Service.Control;
using Rig.Service.Engine.Protocols;
using Rig.Service.Hardware;
using Rig.Service.Telemetry;
using Rig.Service.Telemetry.Commands;

namespace Rig.Service.Engine.Simulation;

/// <summary>
/// "dry-run" takes what "start" takes (channel, preset or protocol, parameters; optionally temperature_degC and
/// stack_pressure_MPa to override the protocol's conditions), compiles it against the channel exactly as start
/// does, runs it on the channel's twin (<see cref="DryRunner"/>) and answers on the command's response topic when
/// done, with the prediction as "data"; the same prediction is published retained on
/// "&lt;rig&gt;/&lt;channel&gt;/prediction" for the dashboard. One dry run per channel at a time; "dry-run-cancel"
/// stops it (it answers with what it had). Never touches hardware; runs while the channel's real test runs.
/// </summary>
public sealed class DryRunVerbs : ICommandVerbs
{
    private readonly RigOptions _rig;
    private readonly EngineOptions _engine;
    private readonly PresetLibrary _presets;
    private readonly IServiceProvider _services;
    private readonly Dictionary<string, CancellationTokenSource> _running = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DryRunPrediction> _latest = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TwinCalibrationResult> _calibrated = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly TwinCalibrationFiles _calibrationFiles;
    private readonly TimeProvider _time;

    public DryRunVerbs(IOptions<RigOptions> rig, IOptions<EngineOptions> engine, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(rig);
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(services);
        _time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        _rig = rig.Value;
        _engine = engine.Value;
        _services = services;
        _calibrationFiles = new TwinCalibrationFiles(_rig.ResolveStateDirectory());
        _presets = new PresetLibrary(string.IsNullOrWhiteSpace(_engine.PresetDirectory) ? null : _engine.PresetDirectory);
    }

    public IReadOnlyDictionary<string, string[]> Verbs { get; } = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["dry-run"] = ["channel", "preset", "protocol", "parameters", "temperature_degC", "stack_pressure_MPa"],
        ["dry-run-cancel"] = ["channel"],
        ["calibrate-twin"] = ["test_id", "file", "channel", "preset", "protocol", "parameters", "temperature_degC", "stack_pressure_MPa"],
    };

    /// <summary>The last finished prediction per channel (to compare with the real test later).</summary>
    public DryRunPrediction? Latest(string channelId)
    {
        lock (_lock)
        {
            return _latest.GetValueOrDefault(channelId);
        }
    }

    public Task<CommandReply> HandleAsync(string verb, CommandArguments args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? why = null;
        if (verb == "calibrate-twin")
        {
            return Task.FromResult(Calibrate(args));
        }
        var channelId = args.String("channel", true, ref why);
        if (why is null && !_rig.Channels.ContainsKey(channelId!))
        {
            why = $"unknown channel '{channelId}' (this rig has: {string.Join(", ", _rig.Channels.Keys)})";
        }
        if (why is not null)
        {
            return Task.FromResult(CommandReply.Error(verb, why));
        }
        return Task.FromResult(verb == "dry-run-cancel" ? Cancel(channelId!) : Start(channelId!, args));
    }

    private CommandReply Cancel(string channelId)
    {
        lock (_lock)
        {
            if (!_running.TryGetValue(channelId, out var cts))
            {
                return CommandReply.Error("dry-run-cancel", $"no dry run of channel {channelId} is running");
            }
            cts.Cancel();
            return new CommandReply(true, "dry-run-cancel", $"dry run of channel {channelId} cancelled; it answers with what it had");
        }
    }

    private CommandReply Start(string channelId, CommandArguments args)
    {
        const string verb = "dry-run";
        string? why = null;
        var preset = args.String("preset", false, ref why);
        var protocol = args.String("protocol", false, ref why);
        var parameters = args.StringMap("parameters", ref why);
        var celsius = args.Number("temperature_degC", false, ref why);
        var megapascals = args.Number("stack_pressure_MPa", false, ref why);
        if (why is not null)
        {
            return CommandReply.Error(verb, why);
        }
        var (prepared, preparedConditions, refused) = new DryRunRequest(preset, protocol, parameters, celsius, megapascals)
            .Prepare(channelId, _rig.Channels[channelId], _presets);
        if (refused is not null)
        {
            return CommandReply.Error(verb, refused);
        }
        var plan = prepared!;
        if (_services.GetService<RigHardware>() is { } hardware && hardware.Channels.TryGetValue(channelId, out var channel)
            && ProtocolFit.Problem(plan, channel) is { } misfit)
        {
            return CommandReply.Error(verb, misfit);
        }
        var conditions = preparedConditions!;
        var cts = new CancellationTokenSource();
        lock (_lock)
        {
            if (_running.ContainsKey(channelId))
            {
                cts.Dispose();
                return CommandReply.Error(verb, $"a dry run of channel {channelId} is already running (dry-run-cancel stops it)");
            }
            _running[channelId] = cts;
        }
        var options = Twin(channelId);
        var completion = Task.Run(() => RunAsync(plan, channelId, options, conditions, cts));
        return CommandReply.Later(verb, completion);
    }

    /// <summary>The channel's configured options, with the twin parameters a calibration fitted when there is one.</summary>
    private ChannelOptions Twin(string channelId)
    {
        var configured = _rig.Channels[channelId];
        lock (_lock)
        {
            if (!_calibrated.TryGetValue(channelId, out var fit))
            {
                // A calibration made before a restart (TwinCalibrationFiles).
                if (_calibrationFiles.Load(channelId, configured) is not { } stored)
                {
                    return configured;
                }
                _calibrated[channelId] = fit = stored;
            }
            return new ChannelOptions
            {
                Cell = configured.Cell,
                Simulation = new ChannelSimulationOptions
                {
                    FullCell = fit.FullCell ?? configured.Simulation.EffectiveFullCell,
                    HalfCell = fit.HalfCell ?? configured.Simulation.EffectiveHalfCell,
                    Noise = configured.Simulation.Noise,
                    Seed = configured.Simulation.Seed,
                },
            };
        }
    }

    // "calibrate-twin": fit a channel's twin to a finished test, from the store (test_id) or from a BDF file in
    // <state>/exports (file: a name, never a path, as analyze takes it); later dry runs of that channel use the fit.
    private CommandReply Calibrate(CommandArguments args)
    {
        const string verb = "calibrate-twin";
        string? why = null;
        var testId = args.String("test_id", false, ref why);
        var file = args.String("file", false, ref why);
        var channelId = args.String("channel", false, ref why);
        var preset = args.String("preset", false, ref why);
        var protocol = args.String("protocol", false, ref why);
        var parameters = args.StringMap("parameters", ref why);
        var celsius = args.Number("temperature_degC", false, ref why);
        var megapascals = args.Number("stack_pressure_MPa", false, ref why);
        if (why is null && (testId is null) == (file is null))
        {
            why = "give either test_id or file, not both or neither";
        }
        if (why is null && testId is not null && new object?[] { channelId, preset, protocol, parameters, celsius, megapascals }.Any(v => v is not null))
        {
            why = "a stored test brings its own channel, protocol and conditions: give only test_id";
        }
        if (why is null && file is not null && (file.IndexOfAny(['/', '\\']) >= 0 || file.Contains("..", StringComparison.Ordinal)))
        {
            why = $"file '{file}' must be a file name in the state directory's exports folder, not a path";
        }
        if (why is not null)
        {
            return CommandReply.Error(verb, why);
        }
        // Reading a store's cycles or a file of any size, and the fit, run off the command processor (which goes on
        // serving an abort meanwhile); a refusal found there is the deferred answer.
        Func<(CalibrationSource? Source, string? Why)> read;
        if (testId is not null)
        {
            if (_services.GetService<Store.RigStore>() is not { } store)
            {
                return CommandReply.Error(verb, "no store on this rig");
            }
            read = () => CalibrationSource.FromStore(store, testId, _rig);
        }
        else
        {
            var path = Path.Combine(_rig.ResolveStateDirectory(), "exports", file!);
            if (!File.Exists(path))
            {
                return CommandReply.Error(verb, $"no file '{file}' in {Path.GetDirectoryName(path)}");
            }
            var request = preset is null && protocol is null && celsius is null && megapascals is null ? null
                : new DryRunRequest(preset, protocol, parameters, celsius, megapascals);
            if (request is { Preset: null, Protocol: null })
            {
                return CommandReply.Error(verb, "temperature_degC and stack_pressure_MPa go with a preset or protocol");
            }
            if (channelId is not null && !_rig.Channels.ContainsKey(channelId))
            {
                return CommandReply.Error(verb, $"unknown channel '{channelId}' (this rig has: {string.Join(", ", _rig.Channels.Keys)})");
            }
            read = () => CalibrationSource.FromBdf(path, channelId, request, _rig, _presets);
        }
        var completion = Task.Run(async () =>
        {
            var (source, refused) = read();
            if (source is null)
            {
                return CommandReply.Error(verb, refused!);
            }
            if (source.Cycles.Count < source.Plan.FormationCycles + 3)
            {
                return CommandReply.Error(verb, $"{source.Source} closed {source.Cycles.Count} cycles; a calibration needs at least {source.Plan.FormationCycles + 3}");
            }
            var configured = _rig.Channels[source.ChannelId];
            var fit = await TwinCalibration.FitAsync(source.Plan, configured, source.Cycles, source.End, source.Conditions);
            lock (_lock)
            {
                _calibrated[source.ChannelId] = fit;
            }
            _calibrationFiles.Save(source.ChannelId, source.Source, fit);
            var r = fit.Residuals;
            return new CommandReply(true, verb,
                $"channel {source.ChannelId}'s twin fitted to {source.Source}: capacity residual {r.CapacityRmsRelative:P2} RMS over {r.CyclesCompared} cycles",
                testId ?? file, w => WriteCalibration(w, fit, source.Conditions));
        });
        return CommandReply.Later(verb, completion);
    }

    private static void WriteCalibration(System.Text.Json.Utf8JsonWriter w, TwinCalibrationResult fit, DryRunConditions conditions)
    {
        w.WriteStartObject();
        w.WriteString("chemistry", fit.Chemistry.ToString());
        w.WritePropertyName("parameters");
        w.WriteStartObject();
        if (fit.FullCell is { } f)
        {
            w.WriteNumber("CathodeCapacityMilliampHoursPerSquareCentimetre", Math.Round(f.CathodeCapacityMilliampHoursPerSquareCentimetre, 4));
            w.WriteNumber("InitialCoulombicEfficiency", Math.Round(f.InitialCoulombicEfficiency, 4));
            w.WriteNumber("CoulombicEfficiency", Math.Round(f.CoulombicEfficiency, 6));
            w.WriteNumber("CathodeFadePerCycle", Math.Round(f.CathodeFadePerCycle, 6));
            w.WriteNumber("AreaSpecificResistanceOhmSquareCentimetres", Math.Round(f.AreaSpecificResistanceOhmSquareCentimetres, 1));
        }
        if (fit.HalfCell is { } h)
        {
            w.WriteNumber("InitialCoulombicEfficiency", Math.Round(h.InitialCoulombicEfficiency, 4));
            w.WriteNumber("CoulombicEfficiency", Math.Round(h.CoulombicEfficiency, 6));
            w.WriteNumber("CriticalCurrentDensityMilliampsPerSquareCentimetre", Math.Round(h.CriticalCurrentDensityMilliampsPerSquareCentimetre, 3));
        }
        w.WriteEndObject();
        var r = fit.Residuals;
        w.WritePropertyName("residuals");
        w.WriteStartObject();
        w.WriteNumber("capacity_rms_relative", Math.Round(r.CapacityRmsRelative, 5));
        w.WriteNumber("ice", Math.Round(r.Ice, 5));
        w.WriteNumber("average_ce", Math.Round(r.AverageCe, 6));
        w.WriteNumber("fade_per_cycle", Math.Round(r.FadePerCycle, 6));
        w.WriteNumber("polarization_V", Math.Round(r.PolarizationVolts, 4));
        w.WriteNumber("cycles_compared", r.CyclesCompared);
        w.WriteEndObject();
        w.WriteNumber("temperature_degC", Math.Round(conditions.TemperatureCelsius, 2));
        w.WriteNumber("stack_pressure_MPa", Math.Round(conditions.StackPressureMegapascals, 2));
        w.WriteEndObject();
    }

    private async Task<CommandReply> RunAsync(ProtocolPlan plan, string channelId, ChannelOptions options, DryRunConditions conditions, CancellationTokenSource cts)
    {
        try
        {
            var prediction = await DryRunner.RunAsync(plan, channelId, options, RunOptions(), conditions, cts.Token);
            lock (_lock)
            {
                _latest[channelId] = prediction;
            }
            if (prediction.Completed && _services.GetService<Store.RigStore>() is { } store)
            {
                // Waits in the store for the channel's next test of this protocol (PredictionTracker), across restarts.
                store.SavePrediction(new Store.PredictionRecord(channelId, null, _time.GetUtcNow(), prediction.ProtocolName, prediction.DurationSeconds,
                    prediction.Cycles, prediction.CyclesTo80PercentRetention,
                    prediction.DischargeArealCapacities.Count > 0 ? prediction.DischargeArealCapacities[^1] : null,
                    System.Text.Encoding.UTF8.GetString(Serialize(prediction))));
            }
            await PublishAsync(channelId, prediction);
            var message = prediction.Completed
                ? $"predicted {plan.Name}: {prediction.DurationSeconds / 86400:0.##} d, {prediction.Cycles} cycles, {prediction.FinalState}"
                : $"dry run stopped ({prediction.StoppedBecause}) after {prediction.DurationSeconds / 86400:0.##} simulated days";
            return new CommandReply(true, "dry-run", message, Data: prediction.Write);
        }
        finally
        {
            lock (_lock)
            {
                _running.Remove(channelId);
            }
            cts.Dispose();
        }
    }

    // Steps end on the rig's own sample grid unless configured otherwise.
    private DryRunOptions RunOptions() => new()
    {
        SamplePeriod = _engine.DryRun.SamplePeriod,
        EndSamplePeriod = _engine.DryRun.EndSamplePeriod ?? _rig.SamplePeriod,
        WallTimeLimit = _engine.DryRun.WallTimeLimit,
        SimulatedTimeLimit = _engine.DryRun.SimulatedTimeLimit,
    };

    private async Task PublishAsync(string channelId, DryRunPrediction prediction)
    {
        if (_services.GetService<MqttConnection>() is not { } connection)
        {
            return;
        }
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(connection.Topics.Absolute($"{channelId}/prediction"))
            .WithPayload(Serialize(prediction))
            .WithContentType("application/json")
            .WithRetainFlag()
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        await connection.PublishAsync(message, CancellationToken.None);
    }

    /// <summary>The prediction as one JSON object (the retained payload, and what tests and the CLI print).</summary>
    public static byte[] Serialize(DryRunPrediction prediction)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        using var buffer = new MemoryStream();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            prediction.Write(writer);
        }
        return buffer.ToArray();
    }
}
