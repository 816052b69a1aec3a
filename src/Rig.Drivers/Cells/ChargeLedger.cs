namespace Rig.Drivers.Cells;

/// <summary>
/// Every ampere-second a <see cref="SimulatedCell"/> has passed at its terminals, split by direction, as its
/// integrator passed it (not as a sampler would estimate it). A cell that conserves charge never returns more
/// than it took: per cycle, the discharge side of the ledger stays at or below the charge side.
/// </summary>
public sealed class ChargeLedger
{
    /// <summary>Charge passed with positive current (out of HI), A·s.</summary>
    public double PositiveAmpereSeconds { get; private set; }

    /// <summary>Charge passed with negative current, as a magnitude, A·s.</summary>
    public double NegativeAmpereSeconds { get; private set; }

    internal void Record(double currentAmperes, double seconds)
    {
        if (currentAmperes > 0)
        {
            PositiveAmpereSeconds += currentAmperes * seconds;
        }
        else
        {
            NegativeAmpereSeconds -= currentAmperes * seconds;
        }
    }

    internal void Reset(double positiveAmpereSeconds, double negativeAmpereSeconds)
    {
        PositiveAmpereSeconds = positiveAmpereSeconds;
        NegativeAmpereSeconds = negativeAmpereSeconds;
    }
}
