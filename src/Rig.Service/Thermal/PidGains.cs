using System.Globalization;
using Rig.Service.Configuration;

namespace Rig.Service.Thermal;

/// <summary>
/// PID gains in duty fraction (0..1 of the heater's full power) per unit of error: Klipper's pid_Kp, pid_Ki and
/// pid_Kd are these x 255.
/// </summary>
/// <param name="ProportionalPerKelvin">Duty per kelvin of error.</param>
/// <param name="IntegralPerKelvinSecond">Duty per kelvin-second of accumulated error.</param>
/// <param name="DerivativeSecondsPerKelvin">Duty per kelvin/second of measured rate of change.</param>
public sealed record PidGains(double ProportionalPerKelvin, double IntegralPerKelvinSecond, double DerivativeSecondsPerKelvin)
{
    public static PidGains From(PidGainsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(options.ProportionalPerKelvin, options.IntegralPerKelvinSecond, options.DerivativeSecondsPerKelvin);
    }

    /// <summary>Null when usable, else why not (negative or not finite).</summary>
    public string? Problem() =>
        !IsUsable(ProportionalPerKelvin) ? "ProportionalPerKelvin must be finite and >= 0"
        : !IsUsable(IntegralPerKelvinSecond) ? "IntegralPerKelvinSecond must be finite and >= 0"
        : !IsUsable(DerivativeSecondsPerKelvin) ? "DerivativeSecondsPerKelvin must be finite and >= 0"
        : null;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"Kp={ProportionalPerKelvin:0.####}/K Ki={IntegralPerKelvinSecond:0.######}/(K·s) Kd={DerivativeSecondsPerKelvin:0.###} s/K");

    private static bool IsUsable(double gain) => double.IsFinite(gain) && gain >= 0;
}
