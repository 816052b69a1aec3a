namespace Rig.Drivers.Impedance.Fitting;

/// <summary>One fitted parameter with its standard error (one standard deviation), in the circuit's units.</summary>
public sealed record FittedParameter(string Name, double Value, double StandardError);

/// <summary>
/// An equivalent-circuit fit of one spectrum: the circuit, each parameter with its standard error, the reduced
/// chi-square of the weighted residuals (≈ the relative noise squared when the model fits), the points used and the
/// iterations taken.
/// </summary>
public sealed record ImpedanceFit(
    EquivalentCircuit Circuit,
    IReadOnlyList<FittedParameter> Parameters,
    double ReducedChiSquare,
    int PointsUsed,
    int Iterations)
{
    public FittedParameter this[string name] => Parameters.First(p => p.Name == name);

    /// <summary>R_bulk, the resistance the ionic conductivity comes from.</summary>
    public FittedParameter Bulk => Parameters[0];

    /// <summary>Relative r.m.s. misfit: √χ²_red, e.g. 0.002 for 0.2 % noise.</summary>
    public double RelativeMisfit => Math.Sqrt(ReducedChiSquare);
}
