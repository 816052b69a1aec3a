using Rig.Service.Control;
using Rig.Service.Engine;
using Rig.Service.Engine.Protocols;

namespace Rig.Service.Tests.Engine;

public sealed class CheckpointResumeTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "rig-engine-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_test_killed_mid_step_resumes_from_its_checkpoint_with_capacities_continuous()
    {
        var store = new CheckpointStore(_directory);
        var rig = SimulatedRig.HalfCell();
        var parameters = new Dictionary<string, string> { ["cycles"] = "3" };
        var engine = rig.Start(SimulatedRig.Preset("plating-stripping-1mAh"), parameters);
        var before = rig.Runner(TimeSpan.FromSeconds(1));
        // As the host does: on every step, cycle or state change, and periodically inside a step (here each minute).
        before.AfterSample = e =>
        {
            if (e.PositionChanged || e.State.StepSeconds % 60 == 0)
            {
                store.Save(e.State);
            }
        };

        // Kill it 40 min into the second cycle's plating (1 mAh/cm² at 1 mA/cm² takes an hour).
        await before.RunAsync(engine, 1_000_000, e => e.State.Cycle == 2 && e.StepText!.StartsWith("Plate", StringComparison.Ordinal) && e.State.StepSeconds >= 2400);
        var chargeAtKill = engine.State.CycleChargeAmpSeconds;
        var stepAtKill = engine.State.Instruction;
        engine = null; // the process state is gone; only the checkpoint is left

        // The service comes back an hour later: start-up made the output safe; the test is interrupted.
        await rig.Instrument.OutputOffAsync(CancellationToken.None);
        rig.Time.Advance(TimeSpan.FromHours(1));
        var state = Assert.Single(store.LoadAll(out var unreadable));
        Assert.Empty(unreadable);
        var resumed = new CyclingEngine(ProtocolCompiler.Compile(state.ProtocolText, state.Parameters, rejectUnusedOverrides: false), state);
        resumed.MarkInterrupted("service restarted");
        Assert.Equal(RunState.Interrupted, resumed.State.State);
        Assert.Equal(stepAtKill, resumed.State.Instruction);
        Assert.Equal(chargeAtKill, resumed.State.CycleChargeAmpSeconds);

        Assert.True(resumed.Resume());
        var after = rig.Runner(TimeSpan.FromSeconds(1));
        await after.RunAsync(resumed, 1_000_000);

        Assert.Equal(RunState.Finished, resumed.State.State);
        var interruptedCycle = Assert.Single(after.Cycles, c => c.Cycle == 2);
        var previous = Assert.Single(before.Cycles);
        // Continuous: the interrupted plate still stops at what cycle 1 stripped, not at that plus or minus the part before the kill.
        Assert.InRange(interruptedCycle.ChargeArealCapacityMilliampHoursPerSquareCentimetre - previous.DischargeArealCapacityMilliampHoursPerSquareCentimetre, 0, 0.0003);
        Assert.InRange(interruptedCycle.CoulombicEfficiency, 0.99, 1.0);
        // The hour the service was down counts toward no step time: test time is rig time minus the outage (±1 sample).
        var rigSeconds = (rig.Time.GetUtcNow() - resumed.State.StartedAt).TotalSeconds;
        Assert.InRange(rigSeconds - 3600 - resumed.State.TestSeconds, 0, 1.0 + 1e-9);
    }

    [Fact]
    public void A_checkpoint_is_replaced_atomically_and_no_temporary_file_is_left()
    {
        var store = new CheckpointStore(_directory);
        var state = new EngineState { ChannelId = "ch1", TestId = "a", Cycle = 5, CycleChargeAmpSeconds = 1.25 };

        store.Save(state);
        state.Cycle = 6;
        store.Save(state);

        Assert.Equal(["ch1.json"], Directory.GetFiles(_directory).Select(Path.GetFileName));
        var loaded = Assert.Single(store.LoadAll(out _));
        Assert.Equal(6, loaded.Cycle);
        Assert.Equal(1.25, loaded.CycleChargeAmpSeconds);
    }
}
