namespace Rig.Drivers.Cells;

/// <summary>
/// Open-circuit potential of Na(1-s/2)CrO2 vs Na as a function of state of charge s (0 discharged, 1 fully
/// charged to Na0.5CrO2): a sloping plateau around 3.0-3.4 V that steepens at both ends, as the published
/// NaCrO2 curves do between 1.8 and 3.5 V.
/// </summary>
public static class SodiumChromiumOxideCathode
{
    private const double Edge = 1e-6;

    public static double OpenCircuitVolts(double stateOfCharge)
    {
        var s = Math.Clamp(stateOfCharge, Edge, 1 - Edge);
        return 3.05 + 0.25 * (2 * s - 1) + 0.06 * Math.Log(s / (1 - s));
    }
}
