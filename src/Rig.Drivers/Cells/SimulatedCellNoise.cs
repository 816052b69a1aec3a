namespace Rig.Drivers.Cells;

/// <summary>Instrument measurement noise on a simulated channel.</summary>
public sealed record SimulatedCellNoise
{
    /// <summary>Standard deviation of the voltage reading, V (a 2450 at 1 NPLC: tens of µV).</summary>
    public double VoltageVolts { get; init; } = 0.0001;

    /// <summary>Standard deviation of the current reading relative to its value.</summary>
    public double CurrentRelative { get; init; } = 0.0002;
}
