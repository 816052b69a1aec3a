using UnitsNet;

namespace Rig.Drivers.Quantities;

/// <summary>Sodium metal facts the rig needs (paper, Fig. 2 and text: 1 mAh/cm² of Na is 8.8 µm).</summary>
public static class SodiumMetal
{
    /// <summary>Thickness of dense sodium per mAh/cm² plated, in micrometres.</summary>
    public const double MicrometresPerMilliampHourPerSquareCentimetre = 8.8;

    /// <summary>How thick a dense sodium layer of this areal capacity is.</summary>
    public static Length ThicknessOf(ArealCapacity capacity) =>
        Length.FromMicrometers(capacity.MilliampHoursPerSquareCentimetre * MicrometresPerMilliampHourPerSquareCentimetre);
}
