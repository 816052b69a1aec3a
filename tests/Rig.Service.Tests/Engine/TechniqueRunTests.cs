using Rig.Service.Configuration;
using Rig.Service.Control;
using Rig.Service.Recording;

namespace Rig.Service.Tests.Engine;

public class TechniqueRunTests
{
    [Fact]
    public async Task Dc_polarization_holds_50_mV_for_300_s_and_records_the_current_at_the_end()
    {
        var rig = SimulatedRig.HalfCell();
        var engine = rig.Start(SimulatedRig.Preset("dc-polarization"));
        var run = rig.Runner(TimeSpan.FromSeconds(1));
        var ends = new List<TestSampleRecord>();
        run.OnSample = s => { if (s.StepEnd) { ends.Add(s); } };

        await run.RunAsync(engine, 10_000);

        Assert.Equal(RunState.Finished, engine.State.State);
        var hold = Assert.Single(ends, s => s.StepType == "Hold");
        Assert.Equal(300, hold.StepTimeSeconds, 6);
        Assert.Equal(0.05, hold.VoltageVolts, 2);
        // Bare Al cannot strip and 50 mV cannot plate: the electrode blocks and only a tiny current is left to read.
        Assert.InRange(Math.Abs(hold.CurrentAmperes), 0, 1e-4);
        Assert.False(rig.Instrument.OutputOn);
    }

    [Fact]
    public async Task Dc_polarization_attaches_the_electronic_conductivity_in_S_per_cm_from_the_cells_geometry_to_the_result_and_publishes_it()
    {
        var rig = SimulatedRig.HalfCell();
        // The paper's pellet: 70 mg NBH in the 10 mm die, 0.75 mm thick.
        var cell = new CellOptions { AreaCm2 = SimulatedRig.AreaCm2, Build = new CellBuildRecord { SeparatorThicknessMm = 0.75 } };
        var engine = rig.Start(SimulatedRig.Preset("dc-polarization"), cell: cell);
        var run = rig.Runner(TimeSpan.FromSeconds(1));
        TestSampleRecord? hold = null;
        run.OnSample = s => { if (s.StepEnd && s.StepType == "Hold") { hold = s; } };

        await run.RunAsync(engine, 10_000);

        Assert.Equal(RunState.Finished, engine.State.State);
        Assert.NotNull(hold);
        var result = run.End?.ElectronicConductivity;
        Assert.NotNull(result);
        Assert.Equal(hold.CurrentAmperes, result.CurrentAmperes);
        Assert.Equal(hold.VoltageVolts, result.VoltageVolts);
        Assert.Equal(300, result.HeldSeconds, 6);
        // By hand: σ = |I| · 0.075 cm / (V · 0.785 cm²).
        var hand = Math.Abs(hold.CurrentAmperes) * 0.075 / (hold.VoltageVolts * 0.785);
        Assert.True(hand > 0);
        Assert.Equal(hand, result.SiemensPerCentimetre!.Value, hand * 1e-9);
        var published = Assert.Single(run.Events, e => e.Code == "engine.electronic_conductivity");
        Assert.Contains(hand.ToString("G3", System.Globalization.CultureInfo.InvariantCulture) + " S/cm", published.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dc_polarization_without_a_recorded_thickness_keeps_the_current_and_says_why_there_is_no_conductivity()
    {
        var rig = SimulatedRig.HalfCell();
        var engine = rig.Start(SimulatedRig.Preset("dc-polarization"));
        var run = rig.Runner(TimeSpan.FromSeconds(1));

        await run.RunAsync(engine, 10_000);

        var result = run.End?.ElectronicConductivity;
        Assert.NotNull(result);
        Assert.Null(result.SiemensPerCentimetre);
        Assert.Null(result.ThicknessCentimetres);
        Assert.Contains(run.Events, e => e.Code == "engine.electronic_conductivity" && e.Message.Contains("SeparatorThicknessMm", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Hold at 50 mV until 0.01 mA, report electronic conductivity")]
    [InlineData("Hold at 0 V for 300 s, report electronic conductivity")]
    [InlineData("Rest for 300 s, report electronic conductivity")]
    public void Electronic_conductivity_is_only_reported_by_a_hold_at_a_voltage_for_a_fixed_time(string text)
    {
        Assert.Null(Rig.Service.Engine.Protocols.StepParser.TryParse(text, out var problem));
        Assert.Contains("electronic conductivity", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lsv_sweeps_from_the_open_circuit_voltage_at_0_1_mV_per_s_to_its_end_point()
    {
        var rig = SimulatedRig.HalfCell();
        var engine = rig.Start(SimulatedRig.Preset("lsv"));
        var run = rig.Runner(TimeSpan.FromSeconds(1));
        var sweep = new List<TestSampleRecord>();
        run.OnSample = s => { if (s.StepType == "Sweep") { sweep.Add(s); } };

        await run.RunAsync(engine, 100_000);

        Assert.Equal(RunState.Finished, engine.State.State);
        var ocv = sweep[0].VoltageVolts;
        Assert.InRange(ocv, 1.1, 1.3); // bare Al against Na9Sn4 at rest
        Assert.Equal((ocv + 0.5) / 0.0001, sweep[^1].StepTimeSeconds, 0);
        // While the cell can follow (no current limit), the measured voltage is the ramp.
        var early = sweep.First(s => s.StepTimeSeconds >= 1000);
        Assert.Equal(ocv - 0.1, early.VoltageVolts, 3);
    }
}
