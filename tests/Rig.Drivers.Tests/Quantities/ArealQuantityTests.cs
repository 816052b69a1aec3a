using Rig.Drivers.Quantities;
using UnitsNet;

namespace Rig.Drivers.Tests.Quantities;

public class ArealQuantityTests
{
    private static readonly Area TenMillimetreCell = StackPressure.AreaOfDiameter(Length.FromMillimeters(10));

    [Fact]
    public void A_10_mm_cell_has_0_785_cm2_and_10_MPa_is_785_N()
    {
        Assert.Equal(0.7854, TenMillimetreCell.SquareCentimeters, 4);
        Assert.Equal(785.4, StackPressure.ForceFor(Pressure.FromMegapascals(10), TenMillimetreCell).Newtons, 1);
        Assert.Equal(20, StackPressure.FromForce(Force.FromNewtons(1570.8), TenMillimetreCell).Megapascals, 3);
    }

    [Fact]
    public void Current_density_converts_to_current_through_the_cell_area_and_back()
    {
        var density = CurrentDensity.FromMilliampsPerSquareCentimetre(6.0);

        var current = density.Times(TenMillimetreCell);

        Assert.Equal(4.712, current.Milliamperes, 3);
        Assert.Equal(6.0, CurrentDensity.Of(current, TenMillimetreCell).MilliampsPerSquareCentimetre, 9);
    }

    [Fact]
    public void Seven_mAh_per_cm2_of_sodium_is_about_62_micrometres()
    {
        Assert.Equal(61.6, SodiumMetal.ThicknessOf(ArealCapacity.FromMilliampHoursPerSquareCentimetre(7)).Micrometers, 6);
        Assert.Equal(ElectricCharge.FromMilliampereHours(3.1416).MilliampereHours,
            ArealCapacity.FromMilliampHoursPerSquareCentimetre(4).Times(TenMillimetreCell).MilliampereHours, 3);
    }
}
