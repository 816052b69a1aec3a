namespace Rig.Drivers.Cells;

/// <summary>
/// How well the plated sodium keeps contact with the current collector and the separator, as a loss of plating
/// efficiency. Paper: 10-20 MPa cycle alike, 5 MPa is less reversible at room temperature because solid-solid
/// contact is hard to keep (Fig. 6a,b); at 40 °C cells at 5 and 1 MPa approach the 10 MPa efficiency, "presumably
/// due to the softening of metallic sodium" (Supplementary Fig. 11, ref. 54 LePage et al. 2022). Model (an
/// assumption in its form and numbers, chosen to reproduce those orderings): extra loss per plated charge
/// L0·exp(-P/Pc(T)), where the pressure scale Pc falls as sodium softens, Arrhenius-like with an effective
/// activation energy. The loss is counted against the parameter set's reference conditions, so a cell at its
/// reference pressure and temperature keeps the efficiency it was given.
/// </summary>
public static class InterfaceContact
{
    /// <summary>Extra fraction of plated charge lost at (P, T) beyond the loss at the reference (P₀, T₀); negative above it.</summary>
    public static double ExtraLoss(ContactParameters contact, double stackPressureMegapascals, double kelvin)
    {
        ArgumentNullException.ThrowIfNull(contact);
        return Loss(contact, stackPressureMegapascals, kelvin)
            - Loss(contact, contact.ReferenceStackPressureMegapascals, contact.ReferenceTemperatureCelsius + 273.15);
    }

    /// <summary>The pressure scale below which contact is lost at this temperature, MPa.</summary>
    public static double PressureScaleMegapascals(ContactParameters contact, double kelvin)
    {
        ArgumentNullException.ThrowIfNull(contact);
        return contact.PressureScaleMegapascalsAt25C * Arrhenius.ResistanceFactor(contact.SofteningActivationEnergyKilojoulesPerMole, kelvin);
    }

    private static double Loss(ContactParameters contact, double megapascals, double kelvin) =>
        contact.LossAtZeroPressure * Math.Exp(-Math.Max(0, megapascals) / PressureScaleMegapascals(contact, kelvin));
}

/// <summary>Contact-loss parameters shared by the half and full cell (see <see cref="InterfaceContact"/>).</summary>
public sealed record ContactParameters
{
    /// <summary>Fraction of plated charge lost with no stack pressure at all (assumption).</summary>
    public double LossAtZeroPressure { get; init; } = 0.02;

    /// <summary>Pressure scale of contact loss at 25 °C, MPa (assumption: 5 MPa loses visibly more than 10 MPa, Fig. 6b).</summary>
    public double PressureScaleMegapascalsAt25C { get; init; } = 2.5;

    /// <summary>Effective activation energy of sodium softening, kJ/mol (assumption: Pc falls ~10x from 25 to 40 °C, Supplementary Fig. 11).</summary>
    public double SofteningActivationEnergyKilojoulesPerMole { get; init; } = 120.0;

    /// <summary>Stack pressure at which the parameter set's efficiencies were given, MPa.</summary>
    public double ReferenceStackPressureMegapascals { get; init; } = 10.0;

    /// <summary>Temperature at which the parameter set's efficiencies were given, °C.</summary>
    public double ReferenceTemperatureCelsius { get; init; } = 25.0;
}
