using CsCheck;
using Rig.Service.Interlocks;
using Rig.Service.Recording;
using UnitsNet;

namespace Rig.Service.Tests.Interlocks;

/// <summary>
/// Random sequences of faults, clears and operator commands on the composed rig. After every step (and the loops'
/// next second) three things hold: an output that is on has no interlock on its channel (unless its instrument is
/// the one unreachable); every interlock says
/// where it came from, why, since when, what clears it, and was announced by an alarm; resume is refused while any
/// interlock holds the channel.
/// </summary>
public sealed class InterlockPropertyTests
{
    private enum Step
    {
        Tick,
        Wait,
        PressEStop,
        ReleaseEStop,
        OpenZoneSensor,
        CloseZoneSensor,
        UnplugClamp,
        PlugClamp,
        LoseInstrument,
        RestoreInstrument,
        FillStore,
        FreeStore,
        PushClamp,
        EaseClamp,
        Start,
        Resume,
        Pause,
        ClearChannel,
        ClearRig,
        ClearZone,
        AllOff,
    }

    [Fact]
    public async Task Output_on_means_no_interlock_every_interlock_is_explained_and_resume_is_refused_while_any_is_active()
    {
        var steps = Gen.Select(Gen.Enum<Step>(), Gen.Int[0, 1]).Array[10, 45];
        await steps.SampleAsync(async sequence =>
        {
            var recorder = new SwitchableStore();
            using var rig = new InterlockRig(recorder: recorder);
            await rig.RunAsync(TimeSpan.FromSeconds(5));
            foreach (var (step, which) in sequence)
            {
                var channel = which == 0 ? "ch1" : "ch2";
                await ApplyAsync(rig, recorder, step, channel);
                await rig.RunAsync(TimeSpan.FromSeconds(step == Step.Wait ? 12 : 1));
                await AssertInvariantsAsync(rig);
            }
        }, iter: 100, print: s => string.Join(", ", s.Select(x => $"{x.Item1}({(x.Item2 == 0 ? "ch1" : "ch2")})")));
    }

    private static async Task ApplyAsync(InterlockRig rig, SwitchableStore store, Step step, string channel)
    {
        var sim = rig.Rig.Hardware.Simulation;
        switch (step)
        {
            case Step.PressEStop: rig.PressEmergencyStop(true); break;
            case Step.ReleaseEStop: rig.PressEmergencyStop(false); break;
            case Step.OpenZoneSensor: sim.Zones["zone-a"].SensorOpen = true; break;
            case Step.CloseZoneSensor: sim.Zones["zone-a"].SensorOpen = false; break;
            case Step.UnplugClamp: sim.Clamps[channel].Disconnected = true; break;
            case Step.PlugClamp: sim.Clamps[channel].Disconnected = false; break;
            case Step.LoseInstrument: sim.Instruments[channel].DisconnectLink(); break;
            case Step.RestoreInstrument: sim.Instruments[channel].ReconnectLink(); break;
            case Step.FillStore: store.Full = true; break;
            case Step.FreeStore: store.Full = false; break;
            case Step.PushClamp: sim.Clamps[channel].ExternalForce = Force.FromNewtons(300); break;
            case Step.EaseClamp: sim.Clamps[channel].ExternalForce = Force.Zero; break;
            case Step.Start: await rig.StartAsync(channel, channel == "ch1" ? "plating-stripping-1mAh" : "anode-free-full-cell"); break;
            case Step.Resume: await rig.Engine.ResumeAsync(channel, CancellationToken.None); break;
            case Step.Pause: await rig.Engine.PauseAsync(channel, "operator", CancellationToken.None); break;
            case Step.ClearChannel: rig.Commands.ClearLatched(channel); break;
            case Step.ClearRig: rig.Commands.ClearLatched(null); break;
            case Step.ClearZone: rig.Commands.ClearZone("zone-a"); break;
            case Step.AllOff: await rig.Commands.AllOffAsync("property test", CancellationToken.None); break;
            default: break;
        }
    }

    private static async Task AssertInvariantsAsync(InterlockRig rig)
    {
        var now = rig.Rig.Time.GetUtcNow();
        foreach (var channel in new[] { "ch1", "ch2" })
        {
            var held = rig.Held(channel);
            // An instrument the rig cannot reach cannot be told anything: its output is what it was until it answers
            // again, and then it is turned off at once (the invariant holds again from that sample on).
            if (rig.OutputOn(channel) && !held.Any(i => i.Kind == InterlockKind.InstrumentFault))
            {
                Assert.True(held.Count == 0, $"{channel} output on while held by {InterlockBoard.Describe(held)}");
            }
            foreach (var interlock in held)
            {
                Assert.False(string.IsNullOrWhiteSpace(interlock.Source), $"{interlock} has no source");
                Assert.False(string.IsNullOrWhiteSpace(interlock.Reason), $"{interlock} has no reason");
                Assert.StartsWith("clears ", interlock.ClearedBy, StringComparison.Ordinal);
                Assert.True(interlock.Since <= now, $"{interlock} is from the future");
                Assert.Contains(rig.Raised, e => e.Code == "interlock.raised" && e.Timestamp == interlock.Since
                    && e.Message.Contains($"{interlock.Kind} from {interlock.Source}", StringComparison.Ordinal));
            }
            if (held.Count > 0)
            {
                var resume = await rig.Engine.ResumeAsync(channel, CancellationToken.None);
                Assert.False(resume.Accepted, $"{channel} resumed while held by {InterlockBoard.Describe(held)}");
                Assert.All(held, i => Assert.Contains(i.Kind.ToString(), resume.Message, StringComparison.Ordinal));
            }
        }
    }

    /// <summary>A recorder whose storage can fill up (SQLITE_FULL) and be freed again.</summary>
    private sealed class SwitchableStore : ITestRecorder
    {
        public bool Full { get; set; }

        public ValueTask TestStartedAsync(TestStartRecord start, CancellationToken cancellationToken) => Write();

        public ValueTask SampleAsync(TestSampleRecord sample, CancellationToken cancellationToken) => Write();

        public ValueTask CycleClosedAsync(CycleSummary summary, CancellationToken cancellationToken) => Write();

        public ValueTask TestEndedAsync(TestEndRecord end, CancellationToken cancellationToken) => Write();

        public ValueTask ProbeWritableAsync(DateTimeOffset at, CancellationToken cancellationToken) => Write();

        private ValueTask Write() =>
            Full ? throw new Microsoft.Data.Sqlite.SqliteException("database or disk is full", 13) : ValueTask.CompletedTask;
    }
}
