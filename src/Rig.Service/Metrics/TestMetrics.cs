namespace Rig.Service.Metrics;

/// <summary>
/// Test-level metrics over closed cycles, in order (docs/metrics.md): ICE, average CE over cycles 2..n, retention
/// against the first cycle after formation, cycles to 80 % and 70 %. Used by the offline analyser; the live engine
/// keeps the same sums in its checkpointed state and the same rules (<see cref="Retention"/>).
/// </summary>
public sealed class TestMetrics
{
    private readonly int _formationCycles;
    private double _ceSum;
    private int _ceCount;
    private double _referenceDischarge;

    public TestMetrics(int formationCycles = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(formationCycles);
        _formationCycles = formationCycles;
    }

    public int FormationCycles => _formationCycles;

    public double? InitialCoulombicEfficiency { get; private set; }

    public double? AverageCoulombicEfficiency => _ceCount > 0 ? _ceSum / _ceCount : null;

    public int? CyclesTo80PercentRetention { get; private set; }

    public int? CyclesTo70PercentRetention { get; private set; }

    public int Cycles { get; private set; }

    /// <summary>Adds the next closed cycle (numbered from 1); returns its retention, null before the reference cycle.</summary>
    public double? Add(in CycleMetrics cycle)
    {
        Cycles++;
        if (cycle.Cycle == 1)
        {
            InitialCoulombicEfficiency = cycle.CoulombicEfficiency;
        }
        else
        {
            _ceSum += cycle.CoulombicEfficiency;
            _ceCount++;
        }
        var reference = _formationCycles + 1;
        if (cycle.Cycle == reference)
        {
            _referenceDischarge = cycle.DischargeAmpSeconds;
        }
        if (Retention(cycle.Cycle, reference, cycle.DischargeAmpSeconds, _referenceDischarge) is not { } retention)
        {
            return null;
        }
        var counted = cycle.Cycle - _formationCycles;
        if (retention < 0.8)
        {
            CyclesTo80PercentRetention ??= counted;
        }
        if (retention < 0.7)
        {
            CyclesTo70PercentRetention ??= counted;
        }
        return retention;
    }

    /// <summary>Q_d(n) / Q_d(reference) from the reference cycle on; null before it or without a reference.</summary>
    public static double? Retention(int cycle, int referenceCycle, double dischargeAmpSeconds, double referenceDischargeAmpSeconds) =>
        cycle >= referenceCycle && referenceDischargeAmpSeconds > 0 ? dischargeAmpSeconds / referenceDischargeAmpSeconds : null;
}
