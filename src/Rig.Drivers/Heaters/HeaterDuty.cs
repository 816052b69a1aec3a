using UnitsNet;

namespace Rig.Drivers.Heaters;

/// <summary>Checks a commanded duty, shared by every real output.</summary>
internal static class HeaterDuty
{
    public static double Fraction(Ratio duty)
    {
        var fraction = duty.DecimalFractions;
        if (double.IsNaN(fraction) || fraction < 0 || fraction > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(duty), duty, "Heater duty must be within [0, 1].");
        }
        return fraction;
    }
}
