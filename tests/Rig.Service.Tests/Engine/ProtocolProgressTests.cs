using Rig.Service.Engine;
using Rig.Service.Engine.Protocols;

namespace Rig.Service.Tests.Engine;

/// <summary>"Cycle m of n, about 3 h left": what the state message tells a dashboard about a test's progress.</summary>
public class ProtocolProgressTests
{
    [Fact]
    public async Task A_protocol_of_timed_steps_has_an_exact_time_left_that_counts_down()
    {
        var rig = SimulatedRig.HalfCell();
        var engine = rig.Start(SimulatedRig.Preset("dc-polarization"));

        var atStart = engine.Status();
        Assert.Equal(TimeSpan.FromSeconds(360), atStart.TimeLeft);
        Assert.False(atStart.TimeLeftEstimated);
        Assert.Null(atStart.CyclesPlanned);

        await rig.Runner(TimeSpan.FromSeconds(1)).RunAsync(engine, maxSamples: 10_000, stopWhen: e => e.State.TestSeconds >= 100);
        var later = engine.Status();
        Assert.InRange(later.TimeLeft!.Value.TotalSeconds, 360 - engine.State.TestSeconds - 1.5, 360 - engine.State.TestSeconds + 1.5);
    }

    [Fact]
    public async Task A_step_that_ends_on_voltage_makes_time_left_unknown_until_it_has_run_once_then_estimated_from_its_last_run()
    {
        var rig = SimulatedRig.HalfCell();
        var engine = rig.Start(SimulatedRig.Preset("plating-stripping-1mAh"), new Dictionary<string, string> { ["cycles"] = "5" });
        Assert.Equal(5, engine.Status().CyclesPlanned);
        Assert.Null(engine.Status().TimeLeft); // "Strip … until 2 V" has never run

        var run = rig.Runner(TimeSpan.FromSeconds(5));
        await run.RunAsync(engine, maxSamples: 1_000_000, stopWhen: e => e.State.Cycle == 3 && e.State.StepSeconds > 600);
        var estimate = engine.Status();
        var at = estimate;
        Assert.True(estimate.TimeLeftEstimated);
        var predictedEnd = engine.State.TestSeconds + estimate.TimeLeft!.Value.TotalSeconds;

        await run.RunAsync(engine, maxSamples: 1_000_000);
        Assert.Equal(Rig.Service.Control.RunState.Finished, engine.State.State);
        // Later cycles plate what the last one stripped (ICE ~93 %, then ~99.9 %), so the last run predicts the rest well.
        Assert.True(Math.Abs(predictedEnd - engine.State.TestSeconds) < 0.03 * engine.State.TestSeconds, $"predicted end {predictedEnd:F0} s, actual {engine.State.TestSeconds:F0} s, at cycle {at.Cycle} step {at.StepText}");
    }

    [Fact]
    public void Planned_cycles_count_every_loop_to_its_repeat_count()
    {
        var fullCell = ProtocolCompiler.Compile(SimulatedRig.Preset("anode-free-full-cell"));
        var rig = SimulatedRig.FullCell(TimeSpan.FromSeconds(5));
        var engine = rig.Start(SimulatedRig.Preset("anode-free-full-cell"));
        Assert.Equal(3 + 400, engine.Status().CyclesPlanned);
        Assert.Equal(3, fullCell.FormationCycles);
        var ccd = rig.Start(SimulatedRig.Preset("ccd-ramp"));
        Assert.Equal(100, ccd.Status().CyclesPlanned);
        Assert.True(ccd.Status().TimeLeftEstimated || ccd.Status().TimeLeft is null);
    }
}
