using System.Numerics;
using UnitsNet;

namespace Rig.Drivers.Impedance;

/// <summary>What the analyser said about one point.</summary>
public enum ImpedancePointStatus
{
    /// <summary>Measured within range.</summary>
    Ok,
    /// <summary>An input overloaded (current or voltage beyond its range): the value is not to be trusted.</summary>
    Overload,
}

/// <summary>
/// One measured point: Z = Z' + jZ'' in ohms (Z'' negative for a capacitive cell, as the Nyquist plot's −Z'' axis
/// expects). <paramref name="AnalyzerCode"/> is the analyser's own error field for the point (0 = none).
/// </summary>
public sealed record ImpedancePoint(Frequency Frequency, Complex Impedance, ImpedancePointStatus Status = ImpedancePointStatus.Ok, int AnalyzerCode = 0)
{
    /// <summary>Z' (ohms).</summary>
    public double Real => Impedance.Real;

    /// <summary>Z'' (ohms).</summary>
    public double Imaginary => Impedance.Imaginary;

    /// <summary>|Z| (ohms).</summary>
    public double Magnitude => Impedance.Magnitude;

    /// <summary>Phase of Z in degrees (negative for a capacitive cell).</summary>
    public double PhaseDegrees => Impedance.Phase * 180 / Math.PI;
}
