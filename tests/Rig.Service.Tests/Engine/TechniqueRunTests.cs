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
