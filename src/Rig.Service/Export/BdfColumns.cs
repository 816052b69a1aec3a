namespace Rig.Service.Export;

/// <summary>
/// The column labels of our Battery Data Format export, exactly as the Battery Data Alliance ontology 1.3.0 spells
/// them (schema/schema.json, "csvw:titles"), plus one column of our own (<see cref="ClampForce"/>), declared in the
/// metadata sidecar as the BDF custom-measurement proposal describes (name and unit text).
/// </summary>
public static class BdfColumns
{
    /// <summary>The ontology release whose labels, units and rules the export follows (checked by BdfOntologyRulesTests).</summary>
    public const string OntologyVersion = "1.3.0";

    public const string RecordIndex = "Record Index / 1";
    public const string UnixTime = "Unix Time / s";
    public const string TestTime = "Test Time / s";
    public const string StepTime = "Step Time / s";
    public const string CycleCount = "Cycle Count / 1";
    public const string StepCount = "Step Count / 1";
    public const string StepId = "Step ID";
    public const string StepType = "Step Type";
    public const string Voltage = "Voltage / V";
    public const string Current = "Current / A";

    /// <summary>|I| integrated over the step, reset at each step (1.1.0 renamed the deprecated "Step Capacity / Ah").</summary>
    public const string StepCumulativeCapacity = "Step Cumulative Capacity / Ah";

    /// <summary>Cumulative from test start, never reset (the ontology's definition).</summary>
    public const string ChargingCapacity = "Charging Capacity / Ah";

    /// <summary>Cumulative from test start, never reset.</summary>
    public const string DischargingCapacity = "Discharging Capacity / Ah";

    /// <summary>Running within the cycle, reset when the cycle count increments: the engine's per-cycle sums.</summary>
    public const string CycleChargingCapacity = "Cycle Charging Capacity / Ah";

    /// <summary>Running within the cycle; its value at the cycle's last row is the cycle's discharge capacity.</summary>
    public const string CycleDischargingCapacity = "Cycle Discharging Capacity / Ah";

    /// <summary>Measured at the cell (load cell force over electrode area), not the set-point: the ontology's surface pressure.</summary>
    public const string SurfacePressure = "Surface Pressure / Pa";

    /// <summary>An auxiliary channel whose placement the metadata states (the heater zone's sensor in the die block).</summary>
    public const string TemperatureT1 = "Temperature T1 / degC";

    /// <summary>Ours: the clamp's load-cell force (declared in the sidecar's custom measurements).</summary>
    public const string ClampForce = "Clamp Force / N";

    public static readonly IReadOnlyList<string> Samples =
    [
        RecordIndex, UnixTime, TestTime, StepTime, CycleCount, StepCount, StepId, StepType, Voltage, Current,
        StepCumulativeCapacity, ChargingCapacity, DischargingCapacity, CycleChargingCapacity, CycleDischargingCapacity,
        SurfacePressure, TemperatureT1, ClampForce,
    ];
}
