namespace Rig.Service.Engine;

/// <summary>
/// The paper's short-circuit signature during plating (Methods, CCD): "a sudden drop of potential and
/// fluctuation". From the step's own samples it keeps a reference window (the 8 samples before the latest 4) and
/// trips when, over the latest 4 samples, both hold:
/// <list type="bullet">
/// <item>drop: every one of them has |V| below <see cref="DropFraction"/> of the reference mean |V| (so a clean
/// step change, whose window straddles the step, is judged only once it is wholly after it, and is quiet there);</item>
/// <item>fluctuation: the standard deviation of V exceeds <see cref="MinFluctuationVolts"/> and
/// <see cref="FluctuationFactor"/> times the reference's.</item>
/// </list>
/// A drop alone (nucleation overshoot relaxing, a temperature step) or noise alone never trips it. The first
/// <see cref="SettleSamples"/> samples of a step are skipped (the potential is still settling from the last step).
/// Allocation-free: fixed ring buffer; O(window) per sample.
/// </summary>
public sealed class ShortCircuitDetector
{
    public const int SettleSamples = 2;
    public const int RecentSamples = 4;
    public const int ReferenceSamples = 8;
    public const double DropFraction = 0.5;
    public const double MinFluctuationVolts = 0.001;
    public const double FluctuationFactor = 5.0;

    private readonly double[] _volts = new double[RecentSamples + ReferenceSamples];
    private int _seen;

    /// <summary>Forgets everything: call at the start of each plating step.</summary>
    public void Reset() => _seen = 0;

    /// <summary>Adds a sample's voltage; true when the short-circuit signature is present.</summary>
    public bool Observe(double volts)
    {
        _seen++;
        if (_seen <= SettleSamples)
        {
            return false;
        }
        var index = _seen - SettleSamples - 1;
        _volts[index % _volts.Length] = volts;
        var filled = index + 1;
        if (filled < _volts.Length)
        {
            return false;
        }
        // The oldest ReferenceSamples in the ring are the reference; the newest RecentSamples the window under test.
        Statistics(index - _volts.Length + 1, ReferenceSamples, out var referenceMeanAbs, out _, out var referenceDeviation);
        Statistics(index - RecentSamples + 1, RecentSamples, out _, out var recentMaxAbs, out var recentDeviation);
        var dropped = recentMaxAbs < DropFraction * referenceMeanAbs;
        var fluctuating = recentDeviation > MinFluctuationVolts && recentDeviation > FluctuationFactor * referenceDeviation;
        return dropped && fluctuating;
    }

    private void Statistics(int first, int count, out double meanAbs, out double maxAbs, out double deviation)
    {
        double sum = 0, sumAbs = 0;
        maxAbs = 0;
        for (var i = 0; i < count; i++)
        {
            var v = _volts[(first + i) % _volts.Length];
            sum += v;
            sumAbs += Math.Abs(v);
            maxAbs = Math.Max(maxAbs, Math.Abs(v));
        }
        var mean = sum / count;
        double squares = 0;
        for (var i = 0; i < count; i++)
        {
            var d = _volts[(first + i) % _volts.Length] - mean;
            squares += d * d;
        }
        meanAbs = sumAbs / count;
        deviation = Math.Sqrt(squares / (count - 1));
    }
}
