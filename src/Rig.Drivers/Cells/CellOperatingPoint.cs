namespace Rig.Drivers.Cells;

/// <summary>Where a cell sits under a drive: the current that flows, the voltage across it, and whether the source is limiting.</summary>
public readonly record struct CellOperatingPoint(double CurrentAmperes, double VoltageVolts, bool InCompliance)
{
    // The bracket's width over 2^48: the precision 48 bisections gave.
    private const double Precision = 1.0 / (1L << 48);

    // Bisection alone needs 48 from the full bracket; Brent never needs more than a few more than that.
    private const int MaxEvaluations = 100;

    /// <summary>Solves the drive against the cell's monotonic V(I) curve, as an SMU's control loop would.</summary>
    public static CellOperatingPoint Solve(ICellElectrochemistry cell, CellDrive drive, double kelvin)
    {
        switch (drive.Mode)
        {
            case CellDriveMode.ConstantCurrent:
            {
                var voltage = cell.TerminalVoltage(drive.Level, kelvin);
                if (Math.Abs(voltage) <= drive.ComplianceLimit)
                {
                    return new(drive.Level, voltage, false);
                }
                // Voltage limit reached: the source holds ±limit and delivers what current that allows, never more than set.
                var target = Math.CopySign(drive.ComplianceLimit, voltage);
                var magnitude = Math.Abs(drive.Level);
                var current = SolveCurrent(cell, target, -magnitude, magnitude, kelvin);
                // The source holds its limit: a blocked electrode's V(I) jumps there, so read the limit, not V(I).
                return new(current, target, true);
            }
            case CellDriveMode.ConstantVoltage:
            {
                var limit = drive.ComplianceLimit;
                if (cell.TerminalVoltage(limit, kelvin) < drive.Level)
                {
                    return new(limit, cell.TerminalVoltage(limit, kelvin), true);
                }
                if (cell.TerminalVoltage(-limit, kelvin) > drive.Level)
                {
                    return new(-limit, cell.TerminalVoltage(-limit, kelvin), true);
                }
                var current = SolveCurrent(cell, drive.Level, -limit, limit, kelvin);
                return new(current, drive.Level, false);
            }
            default:
                return new(0, cell.TerminalVoltage(0, kelvin), false);
        }
    }

    // V(I) rises monotonically with I for any physical cell, so the root is bracketed and unique. Brent's method
    // (inverse quadratic / secant steps, a bisection whenever they would not halve the bracket fast enough) reaches
    // the 48-bisection precision the solver always had in ~8-12 evaluations instead of 48: a CV hold solves this
    // twice per integration sub-step, so this is most of a dry run's cost (docs/benchmarks.md#dry-run). V(I) jumps
    // at I = 0 and where an electrode is blocked; Brent falls back to bisection there and still converges.
    // Without a sign change in [low, high] the answer is the end nearest the target, as bisection gave.
    private static double SolveCurrent(ICellElectrochemistry cell, double targetVolts, double low, double high, double kelvin)
    {
        var tolerance = (high - low) * Precision;
        double a = low, b = high;
        var fa = cell.TerminalVoltage(a, kelvin) - targetVolts;
        if (fa >= 0)
        {
            return low;
        }
        var fb = cell.TerminalVoltage(b, kelvin) - targetVolts;
        if (fb < 0)
        {
            return high;
        }
        // Split at zero first, as the bisection's first midpoint did: V(I) jumps there when an electrode is blocked,
        // and the answer must then stay on the side the source pushes (a discharge into an emptied electrode passes
        // -0, not +0, which would plate a trace and unblock it, and the integrator would thrash between the two).
        if (a < 0 && b > 0)
        {
            var f0 = cell.TerminalVoltage(0, kelvin) - targetVolts;
            if (f0 < 0)
            {
                a = 0;
                fa = f0;
            }
            else
            {
                b = 0;
                fb = f0;
            }
        }
        double c = a, fc = fa, d = b - a, e = d;
        for (var i = 0; i < MaxEvaluations; i++)
        {
            if (Math.Sign(fb) == Math.Sign(fc) && fb != 0)
            {
                c = a;
                fc = fa;
                d = e = b - a;
            }
            if (Math.Abs(fc) < Math.Abs(fb))
            {
                (a, b, c) = (b, c, b);
                (fa, fb, fc) = (fb, fc, fb);
            }
            var half = 0.5 * (c - b);
            if (fb == 0)
            {
                return b;
            }
            if (Math.Abs(half) <= tolerance)
            {
                return b + half; // the middle of the last bracket, strictly inside it (see the split at zero)
            }
            if (Math.Abs(e) >= tolerance && Math.Abs(fa) > Math.Abs(fb))
            {
                double p, q;
                var s = fb / fa;
                if (a == c)
                {
                    p = 2 * half * s;
                    q = 1 - s;
                }
                else
                {
                    var r = fb / fc;
                    var t = fa / fc;
                    p = s * (2 * half * t * (t - r) - (b - a) * (r - 1));
                    q = (t - 1) * (r - 1) * (s - 1);
                }
                if (p > 0)
                {
                    q = -q;
                }
                p = Math.Abs(p);
                if (2 * p < Math.Min(3 * half * q - Math.Abs(tolerance * q), Math.Abs(e * q)))
                {
                    e = d;
                    d = p / q;
                }
                else
                {
                    d = half;
                    e = d;
                }
            }
            else
            {
                d = half;
                e = d;
            }
            a = b;
            fa = fb;
            b += Math.Abs(d) > tolerance ? d : Math.CopySign(tolerance, half);
            fb = cell.TerminalVoltage(b, kelvin) - targetVolts;
        }
        return b;
    }
}
