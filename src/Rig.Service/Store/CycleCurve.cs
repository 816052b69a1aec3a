namespace Rig.Service.Store;

/// <summary>One stored sample as a voltage-capacity curve needs it.</summary>
public readonly record struct CurveSample(long RecordIndex, int Cycle, string StepType, double VoltageVolts, double ChargeCapacityAmpHours, double DischargeCapacityAmpHours);

/// <summary>A point of a voltage-capacity curve: the half cycle's capacity so far and the voltage there.</summary>
public readonly record struct CurvePoint(double CapacityMilliampHours, double VoltageVolts);

/// <summary>
/// A cycle's voltage against capacity, charge half (Na plated onto Al) and discharge half apart: the paper's Fig. 7d
/// view. Decimated to at most <see cref="MaxPointsPerHalf"/> points per half so a retained message of many cycles stays small.
/// </summary>
public sealed record CycleCurve(int Cycle, IReadOnlyList<CurvePoint> Charge, IReadOnlyList<CurvePoint> Discharge)
{
    public const int MaxPointsPerHalf = 150;

    /// <summary>The curve of <paramref name="cycle"/> from its stored samples (in record order; other cycles ignored).</summary>
    public static CycleCurve From(int cycle, IEnumerable<CurveSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var charge = new List<CurvePoint>();
        var discharge = new List<CurvePoint>();
        var lastHalf = charge;
        foreach (var s in samples)
        {
            if (s.Cycle != cycle)
            {
                continue;
            }
            // A CV hold belongs to the half whose constant-current step it follows (the engine counts it there too).
            var half = s.StepType switch
            {
                "Plate" or "Charge" => charge,
                "Strip" or "Discharge" => discharge,
                "Hold" => lastHalf,
                _ => null,
            };
            if (half is null)
            {
                continue;
            }
            lastHalf = half;
            var capacity = (half == charge ? s.ChargeCapacityAmpHours : s.DischargeCapacityAmpHours) * 1000.0;
            half.Add(new CurvePoint(capacity, s.VoltageVolts));
        }
        return new CycleCurve(cycle, Decimate(charge), Decimate(discharge));
    }

    /// <summary>Every n-th point so that at most <see cref="MaxPointsPerHalf"/> remain, always keeping the last (the half's end).</summary>
    private static List<CurvePoint> Decimate(List<CurvePoint> points)
    {
        if (points.Count <= MaxPointsPerHalf)
        {
            return points;
        }
        var stride = (int)Math.Ceiling(points.Count / (double)(MaxPointsPerHalf - 1));
        var kept = new List<CurvePoint>(MaxPointsPerHalf);
        for (var i = 0; i < points.Count - 1; i += stride)
        {
            kept.Add(points[i]);
        }
        kept.Add(points[^1]);
        return kept;
    }
}
