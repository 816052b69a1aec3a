using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rig.Service.Metrics;

/// <summary>
/// The analysis as plain data with units in the names: what `Rig.Service analyze` prints and the MQTT `analyze` reply
/// carries. Records with a source-generated context (not an anonymous type) so a trimmed publish keeps every member.
/// </summary>
public sealed record AnalysisSummary(
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("metadata")] string? Metadata,
    [property: JsonPropertyName("rows")] long Rows,
    [property: JsonPropertyName("cycles")] int Cycles,
    [property: JsonPropertyName("formation_cycles")] int FormationCycles,
    [property: JsonPropertyName("cell_area_cm2")] double? CellAreaCm2,
    [property: JsonPropertyName("nominal_capacity_Ah")] double? NominalCapacityAmpHours,
    [property: JsonPropertyName("initial_coulombic_efficiency")] double? InitialCoulombicEfficiency,
    [property: JsonPropertyName("average_coulombic_efficiency")] double? AverageCoulombicEfficiency,
    [property: JsonPropertyName("cycles_to_80_percent_retention")] int? CyclesTo80PercentRetention,
    [property: JsonPropertyName("cycles_to_70_percent_retention")] int? CyclesTo70PercentRetention,
    [property: JsonPropertyName("per_cycle")] IReadOnlyList<AnalysisCycleSummary> PerCycle,
    // The start record the export wrote (software version, instrument, calibration, heater, protocol, cell).
    [property: JsonPropertyName("provenance")] JsonElement? Provenance);

/// <summary>One cycle of <see cref="AnalysisSummary"/>.</summary>
public sealed record AnalysisCycleSummary(
    [property: JsonPropertyName("cycle")] int Cycle,
    [property: JsonPropertyName("charge_capacity_mAh")] double ChargeCapacityMilliampHours,
    [property: JsonPropertyName("discharge_capacity_mAh")] double DischargeCapacityMilliampHours,
    [property: JsonPropertyName("coulombic_efficiency")] double CoulombicEfficiency,
    [property: JsonPropertyName("charge_energy_mWh")] double ChargeEnergyMilliwattHours,
    [property: JsonPropertyName("discharge_energy_mWh")] double DischargeEnergyMilliwattHours,
    [property: JsonPropertyName("energy_efficiency")] double EnergyEfficiency,
    [property: JsonPropertyName("mean_charge_voltage_V")] double MeanChargeVoltage,
    [property: JsonPropertyName("mean_discharge_voltage_V")] double MeanDischargeVoltage,
    [property: JsonPropertyName("charge_areal_capacity_mAh_per_cm2")] double? ChargeArealCapacity,
    [property: JsonPropertyName("discharge_areal_capacity_mAh_per_cm2")] double? DischargeArealCapacity,
    [property: JsonPropertyName("discharge_fraction_of_nominal")] double? DischargeFractionOfNominal,
    [property: JsonPropertyName("capacity_retention")] double? CapacityRetention);

[JsonSerializable(typeof(AnalysisSummary))]
internal sealed partial class AnalysisSummaryJsonContext : JsonSerializerContext;

/// <summary>How the summary is written: readable text (no \u00B0), NaN allowed, over the generated context.</summary>
internal static class AnalysisSummaryJson
{
    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    public static JsonSerializerOptions Compact { get; } = Create(indented: false);

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.General)
        {
            WriteIndented = indented,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            TypeInfoResolver = AnalysisSummaryJsonContext.Default,
        };
        options.MakeReadOnly();
        return options;
    }
}
