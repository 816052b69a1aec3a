namespace Rig.Drivers.Impedance.LeadSwitching;

/// <summary>How long a lead relay's contacts take to settle after its coil is switched.</summary>
public static class RelayTiming
{
    /// <summary>
    /// 20 ms. A gold-clad 4 Form C signal relay, Panasonic TQ4 (TQ-relays datasheet, "Characteristics" at 20 °C),
    /// operates in 3 ms max (approx. 2 ms) and releases in 3 ms max (approx. 1 ms), the release measured without a
    /// coil diode; the 2-pole Omron G6S (its datasheet, "Characteristics") gives 4 ms max for both. The flyback
    /// diode across the coil (needed to protect the driving transistor) slows the release several-fold, so 20 ms
    /// covers operate, release with the diode, and contact bounce with margin; it is nothing beside a sweep of minutes.
    /// </summary>
    public static readonly TimeSpan DefaultSettle = TimeSpan.FromMilliseconds(20);
}
