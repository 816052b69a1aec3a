using UnitsNet;

namespace Rig.Drivers.LoadCells.Calibration;

/// <summary>What a tare or span must satisfy before it is accepted, from the load cell's data sheet and weighing practice.</summary>
public sealed record CalibrationRules
{
    /// <summary>The load cell's rated capacity.</summary>
    public required Force RatedForce { get; init; }

    /// <summary>The load cell's rated output at rated force (typically 2 mV/V, ±10 %).</summary>
    public double RatedOutputMillivoltsPerVolt { get; init; } = 2.0;

    /// <summary>How far the measured full scale may sit from the rated one (rated output tolerance plus wiring), as a fraction.</summary>
    public double FullScaleTolerance { get; init; } = 0.25;

    /// <summary>A span load below this fraction of rated force is refused: the error of a small load is magnified at full scale.</summary>
    public double MinimumSpanFraction { get; init; } = 0.2;

    /// <summary>Readings averaged for a tare or a span.</summary>
    public int ReadingsPerWindow { get; init; } = 20;

    /// <summary>Largest spread (standard deviation) and drift over the window for the load to count as stable.</summary>
    public Force StabilityLimit { get; init; } = Force.FromNewtons(2);
}

/// <summary>The result of a tare or span: accepted with the new calibration, or refused with why (nothing changed).</summary>
public sealed record CalibrationOutcome(bool Accepted, string Message, LoadCellCalibration? Calibration)
{
    public static CalibrationOutcome Refused(string why) => new(false, why, null);
}
