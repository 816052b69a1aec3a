namespace Rig.Service.Metrics;

/// <summary>The integration rule of docs/metrics.md: the trapezoid on I and on V·I between two samples.</summary>
public static class Trapezoid
{
    /// <summary>|½(I₀+I₁)|·Δt, in A·s.</summary>
    public static double Charge(double leftAmperes, double rightAmperes, double seconds) =>
        Math.Abs(0.5 * (leftAmperes + rightAmperes)) * seconds;

    /// <summary>|½(P₀+P₁)|·Δt, in J.</summary>
    public static double Energy(double leftWatts, double rightWatts, double seconds) =>
        Math.Abs(0.5 * (leftWatts + rightWatts)) * seconds;
}
