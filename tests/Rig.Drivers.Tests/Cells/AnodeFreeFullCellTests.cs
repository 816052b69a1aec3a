using Rig.Drivers.Cells;

namespace Rig.Drivers.Tests.Cells;

public class AnodeFreeFullCellTests
{
    [Fact]
    public void Cathode_open_circuit_curve_spans_the_paper_window_and_rises_monotonically()
    {
        var previous = double.NegativeInfinity;
        for (var s = 0.02; s <= 0.98; s += 0.02)
        {
            var volts = SodiumChromiumOxideCathode.OpenCircuitVolts(s);
            Assert.True(volts > previous, $"OCV must rise with state of charge (s={s:0.00})");
            Assert.InRange(volts, 1.8, 3.6);
            previous = volts;
        }
    }

    [Fact]
    public void First_cycle_discharge_delivers_the_initial_coulombic_efficiency_of_the_charge()
    {
        var harness = new CellHarness(new AnodeFreeFullCell(CellHarness.AreaCm2, new FullCellParameters()), celsius: 40);

        var charged = harness.RunCurrentUntil(0.5, v => v >= 3.5, TimeSpan.FromHours(5));
        var discharged = harness.RunCurrentUntil(-0.5, v => v <= 1.8, TimeSpan.FromHours(5));

        Assert.InRange(charged, 0.8, 1.2);
        Assert.InRange(discharged / charged, 0.92, 0.935);
    }

    [Fact]
    public void After_the_first_cycle_the_coulombic_efficiency_is_the_steady_state_one()
    {
        var harness = new CellHarness(new AnodeFreeFullCell(CellHarness.AreaCm2, new FullCellParameters()), celsius: 40);
        harness.RunCurrentUntil(1.0, v => v >= 3.5, TimeSpan.FromHours(5));
        harness.RunCurrentUntil(-1.0, v => v <= 1.8, TimeSpan.FromHours(5));

        var charged = harness.RunCurrentUntil(1.0, v => v >= 3.5, TimeSpan.FromHours(5));
        var discharged = harness.RunCurrentUntil(-1.0, v => v <= 1.8, TimeSpan.FromHours(5));

        Assert.InRange(discharged / charged, 0.999, 1.0);
    }

    [Fact]
    public void Polarization_is_smaller_at_40_than_at_25_degrees()
    {
        var cell = new AnodeFreeFullCell(CellHarness.AreaCm2, new FullCellParameters());
        cell.Pass(CellHarness.Amps(1), 1800, 313.15);
        var rest = cell.TerminalVoltage(0, 313.15);

        var warm = cell.TerminalVoltage(CellHarness.Amps(1), 313.15) - rest;
        var room = cell.TerminalVoltage(CellHarness.Amps(1), 298.15) - cell.TerminalVoltage(0, 298.15);

        Assert.True(warm > 0 && room > warm * 1.5, $"overpotential at 40 °C {warm * 1000:0} mV should be well below 25 °C {room * 1000:0} mV");
    }

    [Fact]
    public void Constant_voltage_hold_current_decays_as_the_cathode_approaches_the_hold_voltage()
    {
        var harness = new CellHarness(new AnodeFreeFullCell(CellHarness.AreaCm2, new FullCellParameters()), celsius: 40);
        harness.RunCurrentUntil(1.0, v => v >= 3.5, TimeSpan.FromHours(3));

        harness.Cell.Apply(CellDrive.ConstantVoltage(3.5, CellHarness.Amps(1.0)));
        var currents = new List<double>();
        for (var i = 0; i < 3600; i++)
        {
            harness.Time.Advance(TimeSpan.FromSeconds(1));
            currents.Add(harness.Cell.Read().CurrentAmperes);
        }

        Assert.True(currents[0] > CellHarness.Amps(0.5), "the hold starts near the CC current");
        Assert.True(currents[^1] < CellHarness.Amps(0.2), "and decays below 0.2 mA/cm² within an hour");
        Assert.True(currents.Zip(currents.Skip(10)).All(p => p.Second <= p.First + 1e-9), "monotonically");
    }
}
