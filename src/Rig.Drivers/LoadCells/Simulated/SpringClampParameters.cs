namespace Rig.Drivers.LoadCells.Simulated;

/// <summary>
/// A die in a spring clamp: the springs were compressed to a preload at assembly; when sodium plates the
/// stack grows and the springs push back harder by spring rate x growth.
/// </summary>
public sealed record SpringClampParameters
{
    /// <summary>Force at assembly, N (785 N is 10 MPa on a 10 mm cell).</summary>
    public double PreloadNewtons { get; init; } = 785.4;

    /// <summary>Spring rate of the clamp, N/µm (disc-spring stack; 0.5 N/µm moves 31 N over a 7 mAh/cm² cycle).</summary>
    public double SpringRateNewtonsPerMicrometre { get; init; } = 0.5;

    /// <summary>Standard deviation of the load-cell reading, N.</summary>
    public double NoiseNewtons { get; init; } = 0.3;

    /// <summary>Slow zero drift of the load cell (creep, temperature), N per hour.</summary>
    public double DriftNewtonsPerHour { get; init; } = 0.05;

    /// <summary>Load-cell sensitivity as the ADC sees it, counts per newton (NAU7802 at gain 128 on a 2 mV/V cell: ~2000).</summary>
    public double CountsPerNewton { get; init; } = 2000;

    /// <summary>Raw counts with no load on the cell.</summary>
    public int ZeroCounts { get; init; } = 12_000;
}
