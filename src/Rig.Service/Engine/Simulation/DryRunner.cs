using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Rig.Drivers.Cells;
using Rig.Drivers.Potentiostats.Simulated;
using Rig.Service.Configuration;
using Rig.Service.Control;
using Rig.Service.Engine.Protocols;
using Rig.Service.Recording;
using UnitsNet;

namespace Rig.Service.Engine.Simulation;

/// <summary>
/// Runs a compiled protocol on a channel's twin (its configured cell model and parameter set, at the protocol's
/// conditions) in accelerated time, never touching hardware, and predicts what the real test will do: duration
/// (total and per step kind), capacity per cycle, cycles to 80/70 %, the first safety limit and when, warnings.
/// Bounded by <see cref="DryRunOptions.WallTimeLimit"/> and cancellable; either way it answers with what it has.
/// </summary>
public static partial class DryRunner
{
    private const double DefaultCelsius = 25.0;       // Methods: "at room temperature" unless noted
    private const double DefaultMegapascals = 10.0;    // Methods: "under 10 MPa constant pressure"
    private const int CheckEverySamples = 4096;

    public static async Task<DryRunPrediction> RunAsync(
        ProtocolPlan plan,
        string channelId,
        ChannelOptions channel,
        DryRunOptions options,
        DryRunConditions? overrides = null,
        CancellationToken cancellationToken = default,
        Action<CycleSummary>? onCycle = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(options);
        var conditions = overrides ?? ConditionsOf(plan);
        var time = new VirtualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var area = channel.Cell.AreaCm2;
        ICellElectrochemistry chemistry = channel.Cell.Chemistry == CellChemistry.AnodeFreeFullCell
            ? new AnodeFreeFullCell(area, channel.Simulation.EffectiveFullCell with { StackPressureMegapascals = conditions.StackPressureMegapascals })
            : new AnodeFreeHalfCell(area, channel.Simulation.EffectiveHalfCell with { StackPressureMegapascals = conditions.StackPressureMegapascals });
        var temperature = Temperature.FromDegreesCelsius(conditions.TemperatureCelsius);
        var cell = new SimulatedCell(chemistry, time, () => temperature, channel.Simulation.Noise, channel.Simulation.Seed, options.SamplePeriod);
        var instrument = new SimulatedPotentiostatChannel(cell, time, $"twin:{channelId}");
        var pressure = Pressure.FromMegapascals(conditions.StackPressureMegapascals);
        var start = new TestStartRecord("dry-run", "twin", channelId, time.GetUtcNow(), channel.Cell, plan.Name, plan.Text, plan.Parameters,
            "dry-run", null, null, null);
        var engine = CyclingEngine.Start(plan, start, area);
        var run = new AcceleratedRun(instrument, time.Advance, options.SamplePeriod, () => pressure, () => temperature)
        {
            Lookahead = new StepEndLookahead(cell, time, Area.FromSquareCentimeters(area), options.EndSamplePeriod ?? TimeSpan.FromSeconds(1)),
        };

        var byKind = new Dictionary<string, double>(StringComparer.Ordinal);
        var stepLongest = new Dictionary<int, double>();
        run.OnSample = s =>
        {
            if (s.StepEnd)
            {
                byKind[s.StepType] = byKind.GetValueOrDefault(s.StepType) + s.StepTimeSeconds;
                stepLongest[s.StepIndex] = Math.Max(stepLongest.GetValueOrDefault(s.StepIndex), s.StepTimeSeconds);
            }
        };

        var stopwatch = Stopwatch.StartNew();
        string? stoppedBecause = null;
        long seen = 0;
        bool Stop(CyclingEngine e)
        {
            if (++seen % CheckEverySamples != 0)
            {
                return false;
            }
            if (cancellationToken.IsCancellationRequested)
            {
                stoppedBecause = "cancelled";
            }
            else if (stopwatch.Elapsed > options.WallTimeLimit)
            {
                stoppedBecause = $"wall-time bound {options.WallTimeLimit.TotalSeconds:0} s reached";
            }
            else if (e.State.TestSeconds > options.SimulatedTimeLimit.TotalSeconds)
            {
                stoppedBecause = $"simulated-time bound {options.SimulatedTimeLimit.TotalDays:0} d reached";
            }
            return stoppedBecause is not null;
        }
        await Task.Yield(); // the caller's thread is free while the twin runs
        await run.RunAsync(engine, long.MaxValue, Stop, CancellationToken.None);
        stopwatch.Stop();
        if (onCycle is not null)
        {
            run.Cycles.ForEach(onCycle);
        }

        var end = run.End ?? engine.LiveMetrics(time.GetUtcNow());
        var warnings = Warnings(plan, stepLongest, engine);
        return new DryRunPrediction(
            channelId,
            plan.Name,
            stoppedBecause is null && run.End is not null,
            stoppedBecause,
            engine.State.State,
            end?.Reason ?? "",
            engine.State.TestSeconds,
            byKind,
            run.Cycles.Count,
            [.. run.Cycles.Select(c => c.DischargeArealCapacityMilliampHoursPerSquareCentimetre)],
            end?.InitialCoulombicEfficiency,
            end?.AverageCoulombicEfficiency,
            end?.CyclesTo80PercentRetention,
            end?.CyclesTo70PercentRetention,
            end?.CriticalCurrentDensityMilliampsPerSquareCentimetre,
            FirstLimit(run, start.StartedAt),
            warnings,
            conditions,
            stopwatch.Elapsed.TotalSeconds,
            run.Samples);
    }

    /// <summary>The protocol's "conditions" (temperature, stack pressure), else room temperature and 10 MPa (Methods).</summary>
    public static DryRunConditions ConditionsOf(ProtocolPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        double? celsius = null, megapascals = null;
        try
        {
            using var document = JsonDocument.Parse(plan.Text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.TryGetProperty("conditions", out var conditions) && conditions.ValueKind == JsonValueKind.Object)
            {
                celsius = Number(conditions, "temperature", plan.Parameters, "°C", "C");
                megapascals = Number(conditions, "stackPressure", plan.Parameters, "MPa");
            }
        }
        catch (JsonException)
        {
            // The compiler accepted it; conditions we cannot read fall back to the defaults.
        }
        return new DryRunConditions(celsius ?? DefaultCelsius, megapascals ?? DefaultMegapascals);
    }

    private static double? Number(JsonElement conditions, string name, IReadOnlyDictionary<string, string> parameters, params string[] units)
    {
        if (!conditions.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return null;
        }
        var text = Placeholder().Replace(value.GetString()!, m => parameters.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);
        var match = NumberWithUnit().Match(text);
        return match.Success && units.Contains(match.Groups[2].Value, StringComparer.OrdinalIgnoreCase)
            ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
            : null;
    }

    private static DryRunLimit? FirstLimit(AcceleratedRun run, DateTimeOffset startedAt)
    {
        foreach (var e in run.Events)
        {
            if (e.Code is "engine.safety_limit" or "engine.short_circuit" or "engine.paused")
            {
                return new DryRunLimit(e.Message, (e.Timestamp - startedAt).TotalSeconds, run.Cycles.Count + 1);
            }
        }
        return null;
    }

    // Static and observed: a step that ran into its time-out never reached its end condition; one that came within
    // 80 % of it is one slow cell away from faulting the test.
    private static List<string> Warnings(ProtocolPlan plan, Dictionary<int, double> stepLongest, CyclingEngine engine)
    {
        var warnings = new List<string>();
        foreach (var (index, seconds) in stepLongest.OrderBy(s => s.Key))
        {
            if (index < 0 || index >= plan.Instructions.Count || plan.Instructions[index].Step is not { } step || step.Timeout is not { } timeout)
            {
                continue;
            }
            if (seconds > timeout.TotalSeconds)
            {
                warnings.Add($"\"{step.Text}\" never reached its end condition: it ran into its {timeout.TotalHours:0.##} h time-out");
            }
            else if (seconds > 0.8 * timeout.TotalSeconds)
            {
                warnings.Add($"\"{step.Text}\" takes up to {seconds / 3600:0.##} h of its {timeout.TotalHours:0.##} h time-out");
            }
        }
        if (engine.State.State == RunState.Faulted && warnings.Count == 0)
        {
            warnings.Add($"the test would fault: {engine.LiveMetrics(DateTimeOffset.MinValue)?.Reason}");
        }
        return warnings;
    }

    [GeneratedRegex(@"\$\{([A-Za-z0-9_]+)\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^\s*(-?[0-9]+(?:\.[0-9]+)?)\s*(°C|C|MPa)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex NumberWithUnit();
}
