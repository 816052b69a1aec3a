using System.Text.Json;
using Rig.Service.Control;

namespace Rig.Service.Engine.Simulation;

/// <summary>What a protocol would do to the channel's twin: the answer to a dry run.</summary>
public sealed record DryRunPrediction(
    string ChannelId,
    string ProtocolName,
    bool Completed,
    string? StoppedBecause,
    RunState FinalState,
    string EndReason,
    double DurationSeconds,
    IReadOnlyDictionary<string, double> SecondsByStepKind,
    int Cycles,
    IReadOnlyList<double> DischargeArealCapacities,
    double? InitialCoulombicEfficiency,
    double? AverageCoulombicEfficiency,
    int? CyclesTo80PercentRetention,
    int? CyclesTo70PercentRetention,
    double? CriticalCurrentDensity,
    DryRunLimit? FirstLimit,
    IReadOnlyList<string> Warnings,
    DryRunConditions Conditions,
    double WallSeconds,
    long Samples)
{
    /// <summary>At most this many per-cycle capacities are sent (evenly thinned, first and last kept).</summary>
    public const int MaxCapacitiesSent = 500;

    public void Write(Utf8JsonWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteStartObject();
        w.WriteString("channel", ChannelId);
        w.WriteString("protocol", ProtocolName);
        w.WriteBoolean("completed", Completed);
        if (StoppedBecause is not null)
        {
            w.WriteString("stopped_because", StoppedBecause);
        }
        w.WriteString("final_state", FinalState.ToString());
        w.WriteString("end_reason", EndReason);
        w.WriteNumber("duration_s", Math.Round(DurationSeconds));
        w.WritePropertyName("duration_by_step_kind_s");
        w.WriteStartObject();
        foreach (var (kind, seconds) in SecondsByStepKind.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            w.WriteNumber(kind, Math.Round(seconds));
        }
        w.WriteEndObject();
        w.WriteNumber("cycles", Cycles);
        w.WritePropertyName("discharge_capacity_mAh_cm2");
        w.WriteStartArray();
        foreach (var capacity in Thin(DischargeArealCapacities))
        {
            w.WriteNumberValue(Math.Round(capacity, 4));
        }
        w.WriteEndArray();
        WriteOptional(w, "ice", InitialCoulombicEfficiency, 5);
        WriteOptional(w, "average_ce", AverageCoulombicEfficiency, 6);
        WriteOptional(w, "cycles_to_80_percent", CyclesTo80PercentRetention);
        WriteOptional(w, "cycles_to_70_percent", CyclesTo70PercentRetention);
        WriteOptional(w, "ccd_mA_cm2", CriticalCurrentDensity, 3);
        if (FirstLimit is { } limit)
        {
            w.WritePropertyName("first_limit");
            w.WriteStartObject();
            w.WriteString("what", limit.What);
            w.WriteNumber("at_s", Math.Round(limit.AtSeconds));
            w.WriteNumber("cycle", limit.Cycle);
            w.WriteEndObject();
        }
        w.WritePropertyName("warnings");
        w.WriteStartArray();
        foreach (var warning in Warnings)
        {
            w.WriteStringValue(warning);
        }
        w.WriteEndArray();
        w.WriteNumber("temperature_degC", Conditions.TemperatureCelsius);
        w.WriteNumber("stack_pressure_MPa", Conditions.StackPressureMegapascals);
        w.WriteNumber("wall_s", Math.Round(WallSeconds, 3));
        w.WriteNumber("samples", Samples);
        w.WriteEndObject();
    }

    private static IEnumerable<double> Thin(IReadOnlyList<double> values)
    {
        if (values.Count <= MaxCapacitiesSent)
        {
            return values;
        }
        return Enumerable.Range(0, MaxCapacitiesSent).Select(i => values[(int)Math.Round(i * (values.Count - 1.0) / (MaxCapacitiesSent - 1))]);
    }

    private static void WriteOptional(Utf8JsonWriter w, string name, double? value, int digits)
    {
        if (value is { } v && double.IsFinite(v))
        {
            w.WriteNumber(name, Math.Round(v, digits));
        }
    }

    private static void WriteOptional(Utf8JsonWriter w, string name, int? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
    }
}

/// <summary>The first safety limit (or short) the protocol would hit, and when (seconds from its start).</summary>
public sealed record DryRunLimit(string What, double AtSeconds, int Cycle);

/// <summary>The conditions the twin ran at: the protocol's, unless the request overrode them.</summary>
public sealed record DryRunConditions(double TemperatureCelsius, double StackPressureMegapascals);
