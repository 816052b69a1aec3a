using System.Globalization;
using UnitsNet;

namespace Rig.Drivers.Quantities;

/// <summary>
/// Areal capacity in mAh/cm². The paper plates 1, 3 and 7 mAh/cm² and ramps the CCD at 4 mAh/cm²;
/// 1 mAh/cm² of sodium is 8.8 µm thick (<see cref="SodiumMetal"/>).
/// </summary>
public readonly record struct ArealCapacity(double MilliampHoursPerSquareCentimetre) : IComparable<ArealCapacity>
{
    public static ArealCapacity Zero => default;

    public static ArealCapacity FromMilliampHoursPerSquareCentimetre(double milliampHoursPerSquareCentimetre) =>
        new(milliampHoursPerSquareCentimetre);

    /// <summary>The absolute charge this areal capacity holds on a cell of the given area.</summary>
    public ElectricCharge Times(Area area) =>
        ElectricCharge.FromMilliampereHours(MilliampHoursPerSquareCentimetre * area.SquareCentimeters);

    public static ArealCapacity Of(ElectricCharge charge, Area area) =>
        new(charge.MilliampereHours / area.SquareCentimeters);

    public static ArealCapacity operator +(ArealCapacity a, ArealCapacity b) =>
        new(a.MilliampHoursPerSquareCentimetre + b.MilliampHoursPerSquareCentimetre);

    public static ArealCapacity operator -(ArealCapacity a, ArealCapacity b) =>
        new(a.MilliampHoursPerSquareCentimetre - b.MilliampHoursPerSquareCentimetre);

    public static ArealCapacity operator *(ArealCapacity a, double factor) =>
        new(a.MilliampHoursPerSquareCentimetre * factor);

    public static double operator /(ArealCapacity a, ArealCapacity b) =>
        a.MilliampHoursPerSquareCentimetre / b.MilliampHoursPerSquareCentimetre;

    public static bool operator <(ArealCapacity a, ArealCapacity b) => a.CompareTo(b) < 0;
    public static bool operator >(ArealCapacity a, ArealCapacity b) => a.CompareTo(b) > 0;
    public static bool operator <=(ArealCapacity a, ArealCapacity b) => a.CompareTo(b) <= 0;
    public static bool operator >=(ArealCapacity a, ArealCapacity b) => a.CompareTo(b) >= 0;

    public int CompareTo(ArealCapacity other) =>
        MilliampHoursPerSquareCentimetre.CompareTo(other.MilliampHoursPerSquareCentimetre);

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{MilliampHoursPerSquareCentimetre:0.####} mAh/cm²");
}
