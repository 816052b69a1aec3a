using UnitsNet;

namespace Rig.Drivers.Impedance.Fitting;

/// <summary>A conductivity with its standard error.</summary>
public sealed record ConductivityEstimate(ElectricConductivity Value, ElectricConductivity StandardError);

/// <summary>
/// The paper's two conductivities of a pressed electrolyte pellet between blocking or sodium electrodes:
/// ionic σ = L / (R_bulk · A) from the impedance fit, electronic σ = I · L / (V · A) from the DC polarization current
/// after 300 s at V (Methods). L is the pellet's thickness, A its area (the die's).
/// </summary>
public static class Conductivity
{
    public static ConductivityEstimate Ionic(FittedParameter bulk, Length thickness, Area area)
    {
        ArgumentNullException.ThrowIfNull(bulk);
        var value = Ionic(ElectricResistance.FromOhms(bulk.Value), thickness, area);
        // σ ∝ 1/R: the relative errors are equal.
        var error = value.SiemensPerMeter * bulk.StandardError / bulk.Value;
        return new ConductivityEstimate(value, ElectricConductivity.FromSiemensPerMeter(error));
    }

    public static ElectricConductivity Ionic(ElectricResistance bulk, Length thickness, Area area)
    {
        Check(thickness, area);
        if (bulk.Ohms <= 0 || !double.IsFinite(bulk.Ohms))
        {
            throw new ArgumentOutOfRangeException(nameof(bulk), bulk, "the bulk resistance must be positive");
        }
        return ElectricConductivity.FromSiemensPerMeter(thickness.Meters / (bulk.Ohms * area.SquareMeters));
    }

    public static ElectricConductivity Electronic(ElectricCurrent current, ElectricPotential voltage, Length thickness, Area area)
    {
        Check(thickness, area);
        if (voltage.Volts == 0 || !double.IsFinite(voltage.Volts))
        {
            throw new ArgumentOutOfRangeException(nameof(voltage), voltage, "the polarization voltage must not be zero");
        }
        return ElectricConductivity.FromSiemensPerMeter(Math.Abs(current.Amperes * thickness.Meters / (voltage.Volts * area.SquareMeters)));
    }

    private static void Check(Length thickness, Area area)
    {
        if (thickness.Meters <= 0 || !double.IsFinite(thickness.Meters))
        {
            throw new ArgumentOutOfRangeException(nameof(thickness), thickness, "the pellet thickness must be positive");
        }
        if (area.SquareMeters <= 0 || !double.IsFinite(area.SquareMeters))
        {
            throw new ArgumentOutOfRangeException(nameof(area), area, "the pellet area must be positive");
        }
    }
}
