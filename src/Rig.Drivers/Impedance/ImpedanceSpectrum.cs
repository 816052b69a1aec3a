namespace Rig.Drivers.Impedance;

/// <summary>A measured sweep: its settings, its points in the order measured, and when it started and ended.</summary>
public sealed record ImpedanceSpectrum(ImpedanceSweep Sweep, IReadOnlyList<ImpedancePoint> Points, DateTimeOffset StartedAt, DateTimeOffset EndedAt)
{
    /// <summary>Points the analyser did not flag: what a fit should use.</summary>
    public IReadOnlyList<ImpedancePoint> UsablePoints => [.. Points.Where(p => p.Status == ImpedancePointStatus.Ok)];

    public int OverloadedPoints => Points.Count(p => p.Status == ImpedancePointStatus.Overload);
}
