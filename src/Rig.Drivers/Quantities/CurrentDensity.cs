using System.Globalization;
using UnitsNet;

namespace Rig.Drivers.Quantities;

/// <summary>
/// Areal current density in mA/cm², the unit battery papers use (the paper's 1 mA/cm² plating,
/// 6.0 mA/cm² CCD). UnitsNet's ElectricCurrentDensity is A/m²-centred; this type keeps the lab's unit
/// explicit and converts to an absolute current only through a cell area.
/// </summary>
public readonly record struct CurrentDensity(double MilliampsPerSquareCentimetre) : IComparable<CurrentDensity>
{
    public static CurrentDensity Zero => default;

    public static CurrentDensity FromMilliampsPerSquareCentimetre(double milliampsPerSquareCentimetre) =>
        new(milliampsPerSquareCentimetre);

    /// <summary>The absolute current this density drives through a cell of the given area.</summary>
    public ElectricCurrent Times(Area area) =>
        ElectricCurrent.FromMilliamperes(MilliampsPerSquareCentimetre * area.SquareCentimeters);

    /// <summary>The density of an absolute current over a cell area.</summary>
    public static CurrentDensity Of(ElectricCurrent current, Area area) =>
        new(current.Milliamperes / area.SquareCentimeters);

    public CurrentDensity Abs() => new(Math.Abs(MilliampsPerSquareCentimetre));

    public static CurrentDensity operator +(CurrentDensity a, CurrentDensity b) =>
        new(a.MilliampsPerSquareCentimetre + b.MilliampsPerSquareCentimetre);

    public static CurrentDensity operator -(CurrentDensity a, CurrentDensity b) =>
        new(a.MilliampsPerSquareCentimetre - b.MilliampsPerSquareCentimetre);

    public static CurrentDensity operator -(CurrentDensity a) => new(-a.MilliampsPerSquareCentimetre);

    public static CurrentDensity operator *(CurrentDensity a, double factor) =>
        new(a.MilliampsPerSquareCentimetre * factor);

    public static bool operator <(CurrentDensity a, CurrentDensity b) => a.CompareTo(b) < 0;
    public static bool operator >(CurrentDensity a, CurrentDensity b) => a.CompareTo(b) > 0;
    public static bool operator <=(CurrentDensity a, CurrentDensity b) => a.CompareTo(b) <= 0;
    public static bool operator >=(CurrentDensity a, CurrentDensity b) => a.CompareTo(b) >= 0;

    public int CompareTo(CurrentDensity other) =>
        MilliampsPerSquareCentimetre.CompareTo(other.MilliampsPerSquareCentimetre);

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{MilliampsPerSquareCentimetre:0.###} mA/cm²");
}
