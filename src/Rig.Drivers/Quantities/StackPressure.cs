using UnitsNet;

namespace Rig.Drivers.Quantities;

/// <summary>Force on a clamp and stack pressure on a cell are related only through the cell's area.</summary>
public static class StackPressure
{
    public static Pressure FromForce(Force force, Area cellArea) =>
        Pressure.FromPascals(force.Newtons / cellArea.SquareMeters);

    public static Force ForceFor(Pressure pressure, Area cellArea) =>
        Force.FromNewtons(pressure.Pascals * cellArea.SquareMeters);

    /// <summary>Area of a round cell from its diameter (10 mm die: 0.785 cm²).</summary>
    public static Area AreaOfDiameter(Length diameter) =>
        Area.FromSquareMeters(Math.PI * diameter.Meters * diameter.Meters / 4.0);
}
