using Rig.Service.Channels;
using Rig.Service.Control;
using Rig.Service.Engine;
using Rig.Service.Interlocks;
using UnitsNet;
using Rig.Service.Tests.Support;

namespace Rig.Service.Tests.Interlocks;

/// <summary>
/// Issue 14's composite faults that outlive the service: a pressure excursion during a CV hold, then the service
/// killed and started again on the same state directory. Each step checks output, engine state, interlocks, alarm
/// and what resume answers.
/// </summary>
public sealed class CompositeFaultRestartTests
{
    // Full cell on ch2: 10 s rest, then a formation charge fast enough to reach the CV hold in minutes of rig time.
    private static readonly Dictionary<string, string> Quick = new(StringComparer.Ordinal)
    {
        ["rest"] = "10 s",
        ["formationCurrent"] = "4 mA/cm2",
    };

    // About +1.8 MPa on the 0.785 cm2 stack: out of the ±1 MPa window, inside the ±3 MPa fault band and the preset's 8-12 MPa.
    private static readonly Force Push = Force.FromNewtons(140);

    [Fact]
    public async Task A_pressure_excursion_during_a_CV_hold_survives_a_kill_and_restart_held_with_output_off_and_resume_refused_until_back_in_window()
    {
        var state = TestScratch.NewStateDirectory();
        var settings = new Dictionary<string, string?>
        {
            ["Rig:StateDirectory"] = state,
            ["Rig:Channels:ch2:Pressure:TargetMegapascals"] = "10",
        };
        var recorder = new InMemoryTestRecorder(); // the store: it survives the kill

        string testId;
        int holdStep;
        {
            var first = new InterlockRig(settings, recorder);
            var started = await first.Engine.StartAsync(new StartTestRequest("ch2", "anode-free-full-cell", null, Quick), CancellationToken.None);
            Assert.True(started.Accepted, started.Message);
            testId = started.Id!;
            for (var minutes = 0; !InHold(first); minutes++)
            {
                Assert.True(minutes < 600, $"no CV hold after 10 h of rig time: {Status(first).StepText}");
                await first.RunAsync(TimeSpan.FromMinutes(1));
            }
            holdStep = Status(first).StepIndex;
            Assert.True(first.OutputOn("ch2"));

            first.Rig.Hardware.Simulation.Clamps["ch2"].ExternalForce = Push;
            await first.RunAsync(TimeSpan.FromSeconds(10));

            Assert.False(first.OutputOn("ch2"));
            Assert.Equal(RunState.Paused, first.RunState("ch2"));
            Assert.True(first.Held("ch2").Any(i => i.Kind == InterlockKind.PressureOutOfWindow),
                $"{Status(first)} :: {string.Join(" | ", first.Raised.Select(e => $"{e.Source} {e.Code} {e.Message}"))}");
            Assert.Contains(first.Raised, e => e.Source == "ch2" && e.Code == "interlock.raised" && e.Message.Contains("PressureOutOfWindow", StringComparison.Ordinal));
            // Killed: nothing is stopped or flushed; what is on disk and in the store is all the next service has.
            first.Dispose();
        }

        using var second = new InterlockRig(settings, recorder);
        // The clamp did not care that the service died: still pushed out of the window.
        second.Rig.Hardware.Simulation.Clamps["ch2"].ExternalForce = Push;
        await second.RunAsync(TimeSpan.FromSeconds(5));

        var status = Status(second);
        Assert.Equal(testId, status.TestId);
        Assert.Contains(status.State, new[] { RunState.Paused, RunState.Interrupted });
        Assert.Equal(holdStep, status.StepIndex);
        Assert.False(second.OutputOn("ch2"));
        var held = Assert.Single(second.Held("ch2"));
        Assert.Equal(InterlockKind.PressureOutOfWindow, held.Kind);
        Assert.Contains(second.Raised, e => e.Source == "ch2" && e.Code == "interlock.raised" && e.Severity == RigEventSeverity.Alarm);
        var refused = await second.Engine.ResumeAsync("ch2", CancellationToken.None);
        Assert.False(refused.Accepted);
        Assert.Contains("PressureOutOfWindow", refused.Message);
        await second.RunAsync(TimeSpan.FromSeconds(5));
        Assert.False(second.OutputOn("ch2"));

        second.Rig.Hardware.Simulation.Clamps["ch2"].ExternalForce = Force.Zero;
        await second.RunAsync(TimeSpan.FromSeconds(5));
        Assert.Empty(second.Held("ch2"));
        Assert.Contains(status.State == RunState.Paused ? RunState.Paused : RunState.Interrupted, new[] { second.RunState("ch2") }); // clearing resumes nothing
        var resumed = await second.Engine.ResumeAsync("ch2", CancellationToken.None);
        Assert.True(resumed.Accepted, resumed.Message);
        await second.RunAsync(TimeSpan.FromSeconds(3));
        Assert.True(second.OutputOn("ch2"));
        Assert.Equal(holdStep, Status(second).StepIndex); // back in the CV hold it was in
    }

    private static ChannelRunStatus Status(InterlockRig rig) => rig.Engine.Status().Single(s => s.ChannelId == "ch2");

    private static bool InHold(InterlockRig rig) =>
        Status(rig) is { State: RunState.Running, StepText: { } text } && text.StartsWith("Hold", StringComparison.Ordinal);
}
