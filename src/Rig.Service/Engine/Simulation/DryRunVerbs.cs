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

    public DryRunVerbs(IOptions<RigOptions> rig, IOptions<EngineOptions> engine, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(rig);
        ArgumentNullException.ThrowIfNull(engine);
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
        ["calibrate-twin"] = ["test_id"],
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
        // The tracker compares the channel's next test with this prediction; it subscribes when first resolved.
        _ = _services.GetService<PredictionTracker>();
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

    // "calibrate-twin": fit the channel's twin to a finished test in the store; later dry runs of that channel use the fit.
    private CommandReply Calibrate(CommandArguments args)
    {
        const string verb = "calibrate-twin";
        string? why = null;
        var testId = args.String("test_id", true, ref why);
        if (why is not null)
        {
            return CommandReply.Error(verb, why);
        }
        if (_services.GetService<Store.RigStore>() is not { } store)
        {
            return CommandReply.Error(verb, "no store on this rig");
        }
        if (store.FindTest(testId!) is not { } test)
        {
            return CommandReply.Error(verb, $"no test '{testId}' in the store (list-tests names them)");
        }
        if (!_rig.Channels.ContainsKey(test.ChannelId))
        {
            return CommandReply.Error(verb, $"test {testId} ran on channel {test.ChannelId}, which this rig no longer has");
        }
        ProtocolPlan plan;
        try
        {
            plan = ProtocolCompiler.Compile(test.Start.ProtocolText, test.Start.Parameters);
        }
        catch (ProtocolException ex)
        {
            return CommandReply.Error(verb, $"the test's protocol no longer compiles: {ex.Message}");
        }
        var cycles = store.ReadCycles(testId!);
        if (cycles.Count < plan.FormationCycles + 3)
        {
            return CommandReply.Error(verb, $"test {testId} closed {cycles.Count} cycles; a calibration needs at least {plan.FormationCycles + 3}");
        }
        // The conditions that made the numbers: what was measured, else what the protocol asked for.
        var asked = DryRunner.ConditionsOf(plan);
        var pressures = cycles.Where(c => c.MeanStackPressureMegapascals is not null).Select(c => c.MeanStackPressureMegapascals!.Value).ToList();
        var temperatures = cycles.Where(c => c.MeanTemperatureCelsius is not null).Select(c => c.MeanTemperatureCelsius!.Value).ToList();
        var conditions = new DryRunConditions(
            temperatures.Count > 0 ? temperatures.Average() : asked.TemperatureCelsius,
            pressures.Count > 0 ? pressures.Average() : asked.StackPressureMegapascals);
        var channelId = test.ChannelId;
        var configured = _rig.Channels[channelId];
        var completion = Task.Run(async () =>
        {
            var fit = await TwinCalibration.FitAsync(plan, configured, cycles, test.End, conditions);
            lock (_lock)
            {
                _calibrated[channelId] = fit;
            }
            _calibrationFiles.Save(channelId, testId!, fit);
            var r = fit.Residuals;
            return new CommandReply(true, verb,
                $"channel {channelId}'s twin fitted to {testId}: capacity residual {r.CapacityRmsRelative:P2} RMS over {r.CyclesCompared} cycles",
                testId, w => WriteCalibration(w, fit, conditions));
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
