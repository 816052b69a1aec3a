namespace Rig.Drivers.Cells;

/// <summary>Gaussian noise from a seeded generator, so a simulated test is repeatable. Not thread-safe.</summary>
public sealed class MeasurementNoise
{
    private readonly Random _random;

    public MeasurementNoise(int seed)
    {
        _random = new Random(seed);
    }

    /// <summary>A normally distributed sample with mean 0 and this standard deviation.</summary>
    public double Gaussian(double standardDeviation)
    {
        if (standardDeviation <= 0)
        {
            return 0;
        }
        // Box-Muller; 1 - NextDouble() keeps the log argument away from zero.
        var u1 = 1.0 - _random.NextDouble();
        var u2 = _random.NextDouble();
        return standardDeviation * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
