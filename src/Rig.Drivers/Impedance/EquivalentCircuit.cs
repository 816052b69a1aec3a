using System.Numerics;

namespace Rig.Drivers.Impedance;

/// <summary>
/// The cell as an equivalent circuit, in series: the electrolyte's bulk resistance, a grain-boundary arc and an
/// interface arc (each a resistor in parallel with a constant-phase element), and a low-frequency tail (a CPE in
/// series: exponent 0.5 is a Warburg diffusion tail, near 1 a blocking electrode):
/// Z(ω) = R_b + R_gb / (1 + R_gb·Q_gb·(jω)^n_gb) + R_int / (1 + R_int·Q_int·(jω)^n_int) + 1 / (Q_t·(jω)^n_t).
/// Resistances in Ω, Q in S·s^n. The simulator draws spectra from it and the fit recovers it.
/// </summary>
public sealed record EquivalentCircuit(
    double BulkOhms,
    double GrainBoundaryOhms,
    double GrainBoundaryQ,
    double GrainBoundaryN,
    double InterfaceOhms,
    double InterfaceQ,
    double InterfaceN,
    double TailQ,
    double TailN)
{
    /// <summary>Number of parameters (the order of <see cref="ToArray"/>).</summary>
    public const int ParameterCount = 9;

    /// <summary>Parameter names in the order of <see cref="ToArray"/>, as stored and exported.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["R_bulk", "R_gb", "Q_gb", "n_gb", "R_int", "Q_int", "n_int", "Q_tail", "n_tail"];

    public Complex Impedance(double hertz)
    {
        var jw = new Complex(0, 2 * Math.PI * hertz);
        return BulkOhms
            + Arc(jw, GrainBoundaryOhms, GrainBoundaryQ, GrainBoundaryN)
            + Arc(jw, InterfaceOhms, InterfaceQ, InterfaceN)
            + 1 / (TailQ * Complex.Pow(jw, TailN));
    }

    public double[] ToArray() =>
        [BulkOhms, GrainBoundaryOhms, GrainBoundaryQ, GrainBoundaryN, InterfaceOhms, InterfaceQ, InterfaceN, TailQ, TailN];

    public static EquivalentCircuit FromArray(IReadOnlyList<double> p)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (p.Count != ParameterCount)
        {
            throw new ArgumentException($"an equivalent circuit has {ParameterCount} parameters, not {p.Count}", nameof(p));
        }
        return new EquivalentCircuit(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8]);
    }

    /// <summary>The characteristic frequency of an R‖CPE arc (its −Z'' peak): f = 1 / (2π (R·Q)^(1/n)).</summary>
    public static double PeakHertz(double ohms, double q, double n) => 1 / (2 * Math.PI * Math.Pow(ohms * q, 1 / n));

    private static Complex Arc(Complex jw, double ohms, double q, double n) =>
        ohms / (1 + ohms * q * Complex.Pow(jw, n));
}
