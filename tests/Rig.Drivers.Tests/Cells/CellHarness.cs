using Microsoft.Extensions.Time.Testing;
using Rig.Drivers.Cells;
using UnitsNet;

namespace Rig.Drivers.Tests.Cells;

/// <summary>A simulated cell on a virtual clock, with helpers to run a step until a voltage or for a time.</summary>
internal sealed class CellHarness
{
    public const double AreaCm2 = 0.785;

    public CellHarness(ICellElectrochemistry chemistry, double celsius = 25, SimulatedCellNoise? noise = null)
    {
        Celsius = celsius;
        Cell = new SimulatedCell(chemistry, Time, () => Temperature.FromDegreesCelsius(Celsius), noise ?? new SimulatedCellNoise { VoltageVolts = 0, CurrentRelative = 0 });
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public SimulatedCell Cell { get; }

    public double Celsius { get; set; }

    public static double Amps(double milliampsPerCm2) => milliampsPerCm2 / 1000.0 * AreaCm2;

    /// <summary>Runs a constant current until |V| crosses the limit or the time runs out; returns the mAh/cm² passed.</summary>
    public double RunCurrentUntil(double milliampsPerCm2, Func<double, bool> stop, TimeSpan maxTime, double complianceVolts = 5)
    {
        Cell.Apply(CellDrive.ConstantCurrent(Amps(milliampsPerCm2), complianceVolts));
        var passed = 0.0;
        var step = TimeSpan.FromSeconds(1);
        for (var t = TimeSpan.Zero; t < maxTime; t += step)
        {
            Time.Advance(step);
            var point = Cell.Read();
            passed += Math.Abs(point.CurrentAmperes) * 1000 * step.TotalHours / AreaCm2;
            if (stop(point.VoltageVolts))
            {
                break;
            }
        }
        Cell.Apply(CellDrive.OpenCircuit);
        return passed;
    }

    public double RunCurrentFor(double milliampsPerCm2, double milliampHoursPerCm2) =>
        RunCurrentUntil(milliampsPerCm2, _ => false, TimeSpan.FromHours(milliampHoursPerCm2 / Math.Abs(milliampsPerCm2)));
}
