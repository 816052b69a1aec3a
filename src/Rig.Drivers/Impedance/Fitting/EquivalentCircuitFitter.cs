using Complex = System.Numerics.Complex;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace Rig.Drivers.Impedance.Fitting;

/// <summary>
/// Fits <see cref="EquivalentCircuit"/> (R_b + R_gb‖CPE + R_int‖CPE + CPE tail) to a spectrum with MathNet.Numerics'
/// Levenberg–Marquardt.
/// <list type="bullet">
/// <item>Parameters: ln R and ln Q (positive, and spread over decades), and the CPE exponents n bounded to [0.3, 1].</item>
/// <item>Weights: modulus weighting: each residual (Z'_fit − Z'_obs, Z''_fit − Z''_obs) is divided by |Z_obs|, the right
/// weight when the analyser's error is a fraction of |Z| (the 1260's accuracy is specified that way).</item>
/// <item>Uncertainty: covariance = (JᵀJ)⁻¹·s², with J the Jacobian of the weighted residuals at the optimum (central
/// differences) and s² = RSS / (2N − 9) the reduced chi-square, so the errors scale with the misfit actually seen;
/// a resistance's standard error is R·σ(ln R).</item>
/// <item>Start: several guesses read off the spectrum (arc peaks of −Z'', the real part at the valleys between them,
/// the tail's slope); the fit with the smallest chi-square wins.</item>
/// </list>
/// Points flagged by the analyser are left out. Stateless and thread-safe.
/// </summary>
public sealed class EquivalentCircuitFitter
{
    private const double MinN = 0.3;
    private const double MaxN = 1.0;
    private const int MaxHopRounds = 3;
    private static readonly int[] LogIndices = [0, 1, 2, 4, 5, 7];

    /// <summary>Fits the analyser's usable points (at least 12: nine parameters need more data than that).</summary>
    public ImpedanceFit Fit(IReadOnlyList<ImpedancePoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var usable = points.Where(p => p.Status == ImpedancePointStatus.Ok && double.IsFinite(p.Real) && double.IsFinite(p.Imaginary) && p.Magnitude > 0)
            .OrderByDescending(p => p.Frequency.Hertz).ToArray();
        if (usable.Length < 12)
        {
            throw new ArgumentException($"an equivalent-circuit fit needs at least 12 usable points, the spectrum has {usable.Length}", nameof(points));
        }
        var hertz = usable.Select(p => p.Frequency.Hertz).ToArray();
        var observed = usable.Select(p => p.Impedance).ToArray();
        var weights = observed.Select(z => 1 / z.Magnitude).ToArray();
        var n = usable.Length;
        var x = Vector<double>.Build.Dense(2 * n, i => i);
        var y = Vector<double>.Build.Dense(2 * n, i => i < n ? observed[i].Real * weights[i] : observed[i - n].Imaginary * weights[i - n]);

        Vector<double> Model(Vector<double> p, Vector<double> _)
        {
            var circuit = ToCircuit(p);
            var result = Vector<double>.Build.Dense(2 * n);
            for (var i = 0; i < n; i++)
            {
                var z = circuit.Impedance(hertz[i]);
                result[i] = z.Real * weights[i];
                result[n + i] = z.Imaginary * weights[i];
            }
            return result;
        }

        Matrix<double> Jacobian(Vector<double> p, Vector<double> _)
        {
            var jacobian = Matrix<double>.Build.Dense(2 * n, EquivalentCircuit.ParameterCount);
            for (var i = 0; i < n; i++)
            {
                var row = Derivatives(p, hertz[i]);
                for (var j = 0; j < row.Length; j++)
                {
                    jacobian[i, j] = row[j].Real * weights[i];
                    jacobian[n + i, j] = row[j].Imaginary * weights[i];
                }
            }
            return jacobian;
        }

        var lower = Bounds(-60, MinN);
        var upper = Bounds(60, MaxN);
        var solver = new LevenbergMarquardtMinimizer(maximumIterations: 2000);
        (Vector<double> Point, double Rss, int Iterations)? best = null;
        bool Refine(EquivalentCircuit guess)
        {
            var start = Vector<double>.Build.DenseOfArray(ToTransformed(guess));
            NonlinearMinimizationResult result;
            try
            {
                var objective = ObjectiveFunction.NonlinearModel(Model, Jacobian, x, y);
                result = solver.FindMinimum(objective, start, lower, upper);
            }
            catch (Exception ex) when (ex is MaximumIterationsException or ArithmeticException or ArgumentException)
            {
                return false; // this start did not converge; another may
            }
            var rss = (Model(result.MinimizingPoint, x) - y).PointwisePower(2).Sum();
            if (double.IsFinite(rss) && (best is null || rss < best.Value.Rss * (1 - 1e-9)))
            {
                best = (result.MinimizingPoint, rss, result.Iterations);
                return true;
            }
            return false;
        }
        foreach (var guess in InitialGuesses(hertz, observed))
        {
            Refine(guess);
        }
        if (best is null)
        {
            throw new ArithmeticException("the equivalent-circuit fit did not converge from any starting guess");
        }
        // The starts above see only the arcs the spectrum shows. A small arc under the Warburg tail shows none, and the
        // fit may then spend its second arc on a split of the first (two arcs at about the same frequency) or park it
        // outside the window, leaving the hidden arc to a bent tail: a local minimum. Hop out of it: move each fitted arc
        // in turn to every decade of the window and refine from there, again from a better fit if one is found.
        for (var round = 0; round < MaxHopRounds && Degenerate(ToCircuit(best.Value.Point), hertz, observed); round++)
        {
            var improved = false;
            foreach (var hop in Hops(ToCircuit(best.Value.Point), hertz, observed))
            {
                improved |= Refine(hop);
            }
            if (!improved)
            {
                break;
            }
        }
        var (point, bestRss, iterations) = best.Value;
        var dof = 2 * n - EquivalentCircuit.ParameterCount;
        var reducedChiSquare = bestRss / dof;
        var errors = StandardErrors(Jacobian(point, x), reducedChiSquare);
        var circuitFit = ToCircuit(point);
        // The two arcs are interchangeable in the model: the one at the higher frequency is the grain boundary's.
        if (EquivalentCircuit.PeakHertz(circuitFit.InterfaceOhms, circuitFit.InterfaceQ, circuitFit.InterfaceN)
            > EquivalentCircuit.PeakHertz(circuitFit.GrainBoundaryOhms, circuitFit.GrainBoundaryQ, circuitFit.GrainBoundaryN))
        {
            circuitFit = circuitFit with
            {
                GrainBoundaryOhms = circuitFit.InterfaceOhms, GrainBoundaryQ = circuitFit.InterfaceQ, GrainBoundaryN = circuitFit.InterfaceN,
                InterfaceOhms = circuitFit.GrainBoundaryOhms, InterfaceQ = circuitFit.GrainBoundaryQ, InterfaceN = circuitFit.GrainBoundaryN,
            };
            errors = [errors[0], errors[4], errors[5], errors[6], errors[1], errors[2], errors[3], errors[7], errors[8]];
        }
        var values = circuitFit.ToArray();
        var parameters = new FittedParameter[EquivalentCircuit.ParameterCount];
        for (var i = 0; i < parameters.Length; i++)
        {
            var error = LogIndices.Contains(i) ? values[i] * errors[i] : errors[i];
            parameters[i] = new FittedParameter(EquivalentCircuit.Names[i], values[i], error);
        }
        return new ImpedanceFit(circuitFit, parameters, reducedChiSquare, n, iterations);
    }

    private static Vector<double> Bounds(double log, double exponent)
    {
        var v = Vector<double>.Build.Dense(EquivalentCircuit.ParameterCount, log);
        v[3] = exponent;
        v[6] = exponent;
        v[8] = exponent;
        return v;
    }

    private static EquivalentCircuit ToCircuit(Vector<double> p) =>
        new(Math.Exp(p[0]), Math.Exp(p[1]), Math.Exp(p[2]), p[3], Math.Exp(p[4]), Math.Exp(p[5]), p[6], Math.Exp(p[7]), p[8]);

    private static double[] ToTransformed(EquivalentCircuit c)
    {
        var values = c.ToArray();
        foreach (var i in LogIndices)
        {
            values[i] = Math.Log(values[i]);
        }
        values[3] = Math.Clamp(values[3], MinN, MaxN);
        values[6] = Math.Clamp(values[6], MinN, MaxN);
        values[8] = Math.Clamp(values[8], MinN, MaxN);
        return values;
    }

    /// <summary>√diag((JᵀJ)⁻¹·s²) with J the Jacobian of the weighted residuals at the optimum.</summary>
    private static double[] StandardErrors(Matrix<double> jacobian, double reducedChiSquare)
    {
        var covariance = jacobian.TransposeThisAndMultiply(jacobian).PseudoInverse() * reducedChiSquare;
        return [.. Enumerable.Range(0, jacobian.ColumnCount).Select(i => Math.Sqrt(Math.Max(0, covariance[i, i])))];
    }

    /// <summary>
    /// ∂Z/∂p for the transformed parameters (ln R, ln Q, n), analytically: for an arc A = R/(1+RQs^n), s = jω,
    /// ∂A/∂lnR = R/(1+RQs^n)², ∂A/∂lnQ = −R²Qs^n/(1+RQs^n)², ∂A/∂n = −R²Qs^n·ln s/(1+RQs^n)²; for the tail
    /// T = 1/(Qs^n), ∂T/∂lnQ = −T, ∂T/∂n = −T·ln s.
    /// </summary>
    private static Complex[] Derivatives(Vector<double> p, double hertz)
    {
        var s = new Complex(0, 2 * Math.PI * hertz);
        var lnS = new Complex(Math.Log(2 * Math.PI * hertz), Math.PI / 2);
        var d = new Complex[EquivalentCircuit.ParameterCount];
        d[0] = Math.Exp(p[0]);
        Arc(Math.Exp(p[1]), Math.Exp(p[2]), p[3], s, lnS, out d[1], out d[2], out d[3]);
        Arc(Math.Exp(p[4]), Math.Exp(p[5]), p[6], s, lnS, out d[4], out d[5], out d[6]);
        var tail = 1 / (Math.Exp(p[7]) * Complex.Pow(s, p[8]));
        d[7] = -tail;
        d[8] = -tail * lnS;
        return d;
    }

    private static void Arc(double r, double q, double n, Complex s, Complex lnS, out Complex dLnR, out Complex dLnQ, out Complex dN)
    {
        var rqs = r * q * Complex.Pow(s, n);
        var denominator = (1 + rqs) * (1 + rqs);
        dLnR = r / denominator;
        dLnQ = -r * rqs / denominator;
        dN = -r * rqs * lnS / denominator;
    }

    /// <summary>Starting circuits read off the spectrum (frequencies descending).</summary>
    internal static IEnumerable<EquivalentCircuit> InitialGuesses(double[] hertz, Complex[] z)
    {
        var n = hertz.Length;
        var minusIm = z.Select(v => -v.Imaginary).ToArray();
        var peaks = new List<int>();
        if (minusIm[0] > minusIm[1])
        {
            peaks.Add(0); // the grain-boundary arc's peak lies at or above the highest frequency
        }
        for (var i = 1; i < n - 1; i++)
        {
            if (minusIm[i] > minusIm[i - 1] && minusIm[i] >= minusIm[i + 1])
            {
                peaks.Add(i);
            }
        }
        var valleys = new List<int>();
        for (var i = 1; i < n - 1; i++)
        {
            if (minusIm[i] < minusIm[i - 1] && minusIm[i] <= minusIm[i + 1])
            {
                valleys.Add(i);
            }
        }
        var omegaLow = 2 * Math.PI * hertz[^1];
        var highRe = Math.Max(z[0].Real, 1e-6);
        // The biggest arc below the top decade is the interface's in most spectra; the grain boundary's is then a
        // peak above it or only a shoulder near the top of the window.
        var arcPeaks = peaks.Where(i => i < n - 2).ToList();
        var biggest = arcPeaks.Count > 0 ? arcPeaks.MaxBy(i => minusIm[i]) : n / 2;
        var candidates = new List<(double Bulk, double GbOhms, double GbHertz, double IntOhms, double IntHertz)>();
        foreach (var gbPeak in arcPeaks.Where(i => i < biggest).Take(2))
        {
            var valley = valleys.FirstOrDefault(v => v > gbPeak && v < biggest, -1);
            var gbOhms = Math.Max(2.3 * minusIm[gbPeak], 1e-6);
            var throughGb = valley >= 0 ? z[valley].Real : highRe + gbOhms / 2;
            candidates.Add((Math.Max(throughGb - gbOhms, 0.1 * highRe), gbOhms, hertz[gbPeak], InterfaceOhms(biggest, throughGb), hertz[biggest]));
        }
        foreach (var (share, decadesDown) in new[] { (0.5, 0.5), (0.3, 1.0), (0.7, 0.0) })
        {
            // A shoulder: part of the high-frequency real part is an arc peaking near the top of the window.
            candidates.Add((highRe * (1 - share), highRe * share * 2, hertz[0] / Math.Pow(10, decadesDown), InterfaceOhms(biggest, highRe), hertz[biggest]));
        }
        foreach (var c in candidates)
        {
            foreach (var (nArc, nTail) in new[] { (0.85, 0.5), (0.75, 0.7) })
            {
                var tailQ = Math.Sin(nTail * Math.PI / 2) / (Math.Max(minusIm[^1], 1e-9) * Math.Pow(omegaLow, nTail));
                yield return new EquivalentCircuit(
                    c.Bulk,
                    c.GbOhms, QFor(c.GbOhms, c.GbHertz, nArc), nArc,
                    c.IntOhms, QFor(c.IntOhms, c.IntHertz, nArc), nArc,
                    tailQ, nTail);
            }
        }

        double InterfaceOhms(int peak, double before)
        {
            var valley = valleys.FirstOrDefault(v => v > peak, -1);
            return valley >= 0 && z[valley].Real > before ? z[valley].Real - before : Math.Max(2.3 * minusIm[peak], 1e-6);
        }
    }

    /// <summary>
    /// A fit that does not use both arcs on distinct features: the two peaks within a decade of each other, a peak more
    /// than a decade outside the measured window, or an arc too small to matter. Such a fit may be a local minimum.
    /// </summary>
    internal static bool Degenerate(EquivalentCircuit c, double[] hertz, Complex[] z)
    {
        var spread = Math.Max(z.Max(v => v.Real) - z.Min(v => v.Real), 1e-6);
        var low = Math.Log10(hertz.Min()) - 1;
        var high = Math.Log10(hertz.Max()) + 1;
        var gb = Math.Log10(EquivalentCircuit.PeakHertz(c.GrainBoundaryOhms, c.GrainBoundaryQ, c.GrainBoundaryN));
        var arc = Math.Log10(EquivalentCircuit.PeakHertz(c.InterfaceOhms, c.InterfaceQ, c.InterfaceN));
        return Math.Abs(gb - arc) < 1 || gb < low || gb > high || arc < low || arc > high
            || Math.Min(c.GrainBoundaryOhms, c.InterfaceOhms) < 1e-3 * spread || !double.IsFinite(gb + arc);
    }

    /// <summary>
    /// The fitted circuit with one of its arcs moved to another decade of the window, each arc and each decade in turn,
    /// highest frequency first, in two forms: the arc moved whole, and the arc's resistance at the top of the window
    /// handed to R_bulk with a small arc started in its place. The starts that escape a fit which split one arc in two
    /// or parked one above the window as a stand-in for the bulk.
    /// </summary>
    internal static IEnumerable<EquivalentCircuit> Hops(EquivalentCircuit fitted, double[] hertz, Complex[] z)
    {
        var spread = Math.Max(z.Max(v => v.Real) - z.Min(v => v.Real), 1e-6);
        var top = Math.Log10(hertz.Max());
        var bottom = Math.Log10(hertz.Min());
        var omegaTop = 2 * Math.PI * hertz.Max();
        for (var decade = Math.Floor(top); decade >= bottom; decade -= 1)
        {
            var f = Math.Pow(10, decade);
            foreach (var grainBoundary in new[] { false, true })
            {
                var (ohms, q, n) = grainBoundary
                    ? (fitted.GrainBoundaryOhms, fitted.GrainBoundaryQ, fitted.GrainBoundaryN)
                    : (fitted.InterfaceOhms, fitted.InterfaceQ, fitted.InterfaceN);
                var shape = Math.Clamp(n, 0.7, 0.9);
                // The arc moved whole (a split arc's half goes where a hidden arc may be) ...
                var moved = Math.Max(ohms, 0.05 * spread);
                yield return Replace(fitted, grainBoundary, moved, QFor(moved, f, shape), shape);
                // ... or, for an arc that only acts as a resistor in the window (peaking above it, it stands in for the
                // bulk), what it adds at the top of the window goes to R_bulk and a small new arc starts there.
                var atTop = (ohms / (1 + ohms * q * Complex.Pow(new Complex(0, omegaTop), n))).Real;
                var fresh = 0.1 * spread;
                yield return Replace(fitted, grainBoundary, fresh, QFor(fresh, f, shape), shape) with
                {
                    BulkOhms = Math.Max(fitted.BulkOhms + (double.IsFinite(atTop) ? atTop : 0), 1e-6),
                };
            }
        }
    }

    private static EquivalentCircuit Replace(EquivalentCircuit c, bool grainBoundary, double ohms, double q, double n) =>
        grainBoundary
            ? c with { GrainBoundaryOhms = ohms, GrainBoundaryQ = q, GrainBoundaryN = n }
            : c with { InterfaceOhms = ohms, InterfaceQ = q, InterfaceN = n };

    private static double QFor(double ohms, double hertz, double n) => Math.Pow(1 / (2 * Math.PI * hertz), n) / ohms;
}
