using Rig.Drivers.Quantities;
using UnitsNet;

namespace Rig.Service.Engine.Protocols;

/// <summary>A current written either per area (mA/cm², the lab's unit) or absolute (mA); resolved through the cell's area.</summary>
public readonly record struct CurrentAmount(CurrentDensity? Density, ElectricCurrent? Absolute)
{
    public static CurrentAmount Of(CurrentDensity density) => new(density, null);

    public static CurrentAmount Of(ElectricCurrent current) => new(null, current);

    public ElectricCurrent Resolve(Area area) => Density is { } d ? d.Times(area) : Absolute ?? ElectricCurrent.Zero;

    public CurrentDensity DensityOn(Area area) => Density ?? CurrentDensity.Of(Absolute ?? ElectricCurrent.Zero, area);

    public override string ToString() => Density?.ToString() ?? Absolute?.ToString() ?? "0";
}

/// <summary>A capacity written either per area (mAh/cm²) or absolute (mAh).</summary>
public readonly record struct CapacityAmount(ArealCapacity? Areal, ElectricCharge? Absolute)
{
    public static CapacityAmount Of(ArealCapacity capacity) => new(capacity, null);

    public static CapacityAmount Of(ElectricCharge charge) => new(null, charge);

    public ElectricCharge Resolve(Area area) => Areal is { } a ? a.Times(area) : Absolute ?? ElectricCharge.Zero;

    public override string ToString() => Areal?.ToString() ?? Absolute?.ToString() ?? "0";
}
