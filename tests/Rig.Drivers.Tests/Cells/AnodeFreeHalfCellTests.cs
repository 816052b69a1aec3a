using Rig.Drivers.Cells;

namespace Rig.Drivers.Tests.Cells;

public class AnodeFreeHalfCellTests
{
    [Fact]
    public void Stripping_ends_at_the_2_V_cut_off_after_delivering_initial_efficiency_times_the_plated_capacity()
    {
        var harness = new CellHarness(new AnodeFreeHalfCell(CellHarness.AreaCm2, new HalfCellParameters()));

        var plated = harness.RunCurrentFor(-1.0, 1.0);
        var stripped = harness.RunCurrentUntil(+1.0, v => v >= 2.0, TimeSpan.FromHours(2));

        Assert.Equal(1.0, plated, 3);
        Assert.InRange(stripped, 0.93 - 0.01, 0.93);
    }

    [Fact]
    public void Later_cycles_strip_the_steady_state_efficiency_of_what_was_plated()
    {
        var parameters = new HalfCellParameters { CoulombicEfficiency = 0.98 };
        var harness = new CellHarness(new AnodeFreeHalfCell(CellHarness.AreaCm2, parameters));
        harness.RunCurrentFor(-1.0, 1.0);
        harness.RunCurrentUntil(+1.0, v => v >= 2.0, TimeSpan.FromHours(2));

        harness.RunCurrentFor(-1.0, 3.0);
        var stripped = harness.RunCurrentUntil(+1.0, v => v >= 2.0, TimeSpan.FromHours(4));

        // what the first strip left below the cut-off (a few µAh/cm²) comes back too
        Assert.InRange(stripped, 3.0 * 0.98 - 0.01, 3.0 * 0.98 + 0.01);
    }

    [Fact]
    public void Plating_at_1_mA_per_cm2_sits_tens_of_millivolts_below_zero()
    {
        var cell = new AnodeFreeHalfCell(CellHarness.AreaCm2, new HalfCellParameters());
        cell.Pass(CellHarness.Amps(-1), 600, 298.15);

        var volts = cell.TerminalVoltage(CellHarness.Amps(-1), 298.15);

        Assert.InRange(volts, -0.080, -0.010);
    }

    [Fact]
    public void Stripping_rises_sharply_only_when_the_sodium_runs_out()
    {
        var cell = new AnodeFreeHalfCell(CellHarness.AreaCm2, new HalfCellParameters());
        cell.Pass(CellHarness.Amps(-1), 3600, 298.15); // 1 mAh/cm² plated, 0.93 kept

        var midStrip = cell.TerminalVoltage(CellHarness.Amps(1), 298.15);
        cell.Pass(CellHarness.Amps(1), 0.92 * 3600, 298.15);
        var nearEnd = cell.TerminalVoltage(CellHarness.Amps(1), 298.15);
        cell.Pass(CellHarness.Amps(1), 0.02 * 3600, 298.15);
        var empty = cell.TerminalVoltage(CellHarness.Amps(1), 298.15);

        Assert.InRange(midStrip, 0.010, 0.080);
        Assert.InRange(nearEnd, 0.010, 0.5);
        Assert.True(empty > 2.0, $"empty electrode should be above the 2 V cut-off, was {empty:0.000} V");
    }

    [Fact]
    public void Plating_4_mAh_per_cm2_at_the_critical_current_density_shorts_the_cell_with_a_collapsing_fluctuating_potential()
    {
        var harness = new CellHarness(new AnodeFreeHalfCell(CellHarness.AreaCm2, new HalfCellParameters()), noise: new SimulatedCellNoise());
        var voltages = new List<double>();

        // CCD 6.0 mA/cm² at 4 mAh/cm² (Fig. 2g): the dendrite bridges before the 40 min plating ends.
        harness.RunCurrentUntil(-6.0, v => { voltages.Add(v); return false; }, TimeSpan.FromMinutes(40));

        var beforeShort = voltages.Take(60).Average();
        var afterShort = voltages.TakeLast(60).ToList();
        Assert.True(harness.Cell.Chemistry.IsShorted);
        Assert.True(beforeShort < -0.1, $"healthy plating at 6 mA/cm² should be well below 0 V, was {beforeShort:0.000}");
        Assert.True(Math.Abs(afterShort.Average()) < 0.02, "a short collapses the potential toward zero");
        Assert.True(StandardDeviation(afterShort) > 0.002, "a short makes the potential fluctuate");
    }

    [Fact]
    public void Plating_just_below_the_critical_current_density_never_shorts()
    {
        var harness = new CellHarness(new AnodeFreeHalfCell(CellHarness.AreaCm2, new HalfCellParameters()));

        harness.RunCurrentFor(-5.8, 4.0);

        Assert.False(harness.Cell.Chemistry.IsShorted);
    }

    [Fact]
    public void Stack_growth_follows_the_plated_sodium_at_8_8_micrometres_per_mAh_per_cm2()
    {
        var harness = new CellHarness(new AnodeFreeHalfCell(CellHarness.AreaCm2, new HalfCellParameters { InitialCoulombicEfficiency = 1.0 }));

        harness.RunCurrentFor(-1.0, 7.0);

        Assert.Equal(61.6, harness.Cell.StackGrowth.Micrometers, 1);
    }

    private static double StandardDeviation(IReadOnlyCollection<double> values)
    {
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count);
    }
}
