using Rig.Service.Control;
using Rig.Service.Engine.Simulation;
using UnitsNet;

namespace Rig.Service.Tests.Engine;

public class SafetyLimitTests
{
    [Fact]
    public async Task Stack_pressure_outside_its_window_pauses_the_test_with_the_output_off_and_it_resumes_in_the_same_step()
    {
        var rig = SimulatedRig.HalfCell();
        var engine = rig.Start(SimulatedRig.Preset("plating-stripping-1mAh"), new Dictionary<string, string> { ["cycles"] = "1" });
        var pressure = Pressure.FromMegapascals(10);
        var run = new AcceleratedRun(rig.Instrument, rig.Time.Advance, TimeSpan.FromSeconds(1), () => pressure, () => Temperature.FromDegreesCelsius(25));

        await run.RunAsync(engine, 100_000, e => e.StepText!.StartsWith("Plate", StringComparison.Ordinal) && e.State.StepSeconds >= 600);
        var stepBefore = engine.State.Instruction;
        var chargeBefore = engine.State.StepAmpSeconds;
        pressure = Pressure.FromMegapascals(4.2); // spring relaxed below the 5 MPa floor
        await run.RunAsync(engine, 10);

        Assert.Equal(RunState.Paused, engine.State.State);
        Assert.Contains("stack pressure 4.2 MPa", engine.State.Reason, StringComparison.Ordinal);
        Assert.False(rig.Instrument.OutputOn);

        pressure = Pressure.FromMegapascals(10);
        Assert.True(engine.Resume());
        Rig.Service.Recording.TestSampleRecord? firstAfterResume = null;
        run.OnSample = s => firstAfterResume ??= s;
        await run.RunAsync(engine, 1_000_000);

        Assert.Equal(RunState.Finished, engine.State.State);
        // Resumed in the same step with its time and charge, not restarted.
        Assert.Equal(stepBefore, firstAfterResume!.StepIndex);
        Assert.True(firstAfterResume.StepTimeSeconds >= 600);
        // >= to the rounding of the record's A·h (the sample that met the low pressure came at the same instant: no charge).
        Assert.True(firstAfterResume.StepCapacityAmpHours * 3600 >= chargeBefore * (1 - 1e-12), $"{firstAfterResume.StepCapacityAmpHours * 3600} A·s after, {chargeBefore} before");
        Assert.InRange(run.Cycles[0].ChargeArealCapacityMilliampHoursPerSquareCentimetre, 1.0, 1.0003);
    }

    [Fact]
    public async Task A_voltage_outside_the_safety_window_faults_the_test_and_turns_the_output_off()
    {
        var rig = SimulatedRig.HalfCell();
        var protocol = """
            { "name": "too narrow", "safety": { "voltage": "-0.02 V to 2 V", "maxCurrent": "5 mA/cm2" },
              "steps": [ "Plate at 1 mA/cm2 for 1 mAh/cm2" ] }
            """;
        var engine = rig.Start(protocol);
        var run = rig.Runner(TimeSpan.FromSeconds(1));

        await run.RunAsync(engine, 100_000);

        Assert.Equal(RunState.Faulted, engine.State.State);
        Assert.StartsWith("safety: voltage", engine.State.Reason, StringComparison.Ordinal);
        Assert.False(rig.Instrument.OutputOn);
        Assert.Equal(RunState.Faulted, run.End!.FinalState);
    }

    [Fact]
    public async Task A_step_that_outlives_its_safety_timeout_faults_the_test()
    {
        var rig = SimulatedRig.HalfCell();
        var protocol = """
            { "name": "timeout", "safety": { "voltage": "-1 V to 3.5 V", "maxCurrent": "5 mA/cm2" },
              "steps": [ "Plate at 1 mA/cm2 for 1 mAh/cm2 (timeout 30 min)" ] }
            """;
        var engine = rig.Start(protocol);
        var run = rig.Runner(TimeSpan.FromSeconds(1));

        await run.RunAsync(engine, 100_000);

        Assert.Equal(RunState.Faulted, engine.State.State);
        Assert.Contains("safety time-out", engine.State.Reason, StringComparison.Ordinal);
        Assert.InRange(engine.State.StepSeconds, 1800, 1802);
    }
}
