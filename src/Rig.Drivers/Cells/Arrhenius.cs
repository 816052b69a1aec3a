namespace Rig.Drivers.Cells;

/// <summary>Temperature dependence of ionic transport: resistances fall as exp(-Ea/RT).</summary>
internal static class Arrhenius
{
    private const double GasConstant = 8.314462618;
    public const double ReferenceKelvin = 298.15;

    /// <summary>Factor that multiplies a resistance measured at 25 °C to give it at <paramref name="kelvin"/>.</summary>
    public static double ResistanceFactor(double activationEnergyKilojoulesPerMole, double kelvin) =>
        Math.Exp(activationEnergyKilojoulesPerMole * 1000.0 / GasConstant * (1.0 / kelvin - 1.0 / ReferenceKelvin));

    /// <summary>Charge-transfer overpotential from Butler-Volmer with symmetric transfer: (2RT/F)·asinh(i/2i0).</summary>
    public static double KineticOverpotential(double currentDensity, double exchangeCurrentDensity, double kelvin) =>
        2.0 * GasConstant * kelvin / 96485.33212 * Math.Asinh(currentDensity / (2.0 * exchangeCurrentDensity));
}
