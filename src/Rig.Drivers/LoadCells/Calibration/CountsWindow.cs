namespace Rig.Drivers.LoadCells.Calibration;

/// <summary>
/// Statistics of a run of raw readings: mean, spread and drift (second half's mean minus the first's). A weighing
/// indicator calls a load "stable" when both stay within a few divisions (OIML R76 motion detection).
/// </summary>
public readonly record struct CountsWindow(double MeanCounts, double StandardDeviationCounts, double DriftCounts, int Count)
{
    public static CountsWindow Of(IReadOnlyList<int> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (counts.Count < 2)
        {
            throw new ArgumentException("a window needs at least two readings", nameof(counts));
        }
        var mean = counts.Average();
        var variance = counts.Sum(c => (c - mean) * (c - mean)) / (counts.Count - 1);
        var half = counts.Count / 2;
        var drift = counts.Skip(half).Average() - counts.Take(half).Average();
        return new CountsWindow(mean, Math.Sqrt(variance), drift, counts.Count);
    }
}
