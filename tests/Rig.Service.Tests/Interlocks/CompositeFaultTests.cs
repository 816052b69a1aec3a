using System.Text.Json;
using Rig.Drivers.Faults;
using Rig.Service.Channels;
using Rig.Service.Control;
using Rig.Service.Interlocks;
using Rig.Service.Telemetry;
using UnitsNet;

namespace Rig.Service.Tests.Interlocks;

/// <summary>
/// Faults that meet, on the composed simulated rig: each scenario checks the output, the engine state, the interlock
/// set, the published alarm and what resume answers.
/// </summary>
public sealed class CompositeFaultTests
{
    [Fact]
    public async Task A_zone_trip_holds_both_its_channels_and_resume_is_refused_naming_it_until_the_zone_is_cleared()
    {
        using var rig = new InterlockRig();
        Assert.True((await rig.StartAsync("ch1")).Accepted);
        Assert.True((await rig.StartAsync("ch2", "anode-free-full-cell")).Accepted);
        await rig.RunAsync(TimeSpan.FromMinutes(2));
        Assert.True(rig.OutputOn("ch1"));

        rig.Rig.Hardware.Simulation.Zones["zone-a"].SensorOpen = true;
        await rig.RunAsync(TimeSpan.FromSeconds(3));

        foreach (var channel in new[] { "ch1", "ch2" })
        {
            Assert.False(rig.OutputOn(channel));
            Assert.Equal(RunState.Paused, rig.RunState(channel));
            var held = Assert.Single(rig.Held(channel), i => i.Kind == InterlockKind.ZoneTripped);
            Assert.Equal("zone-a", held.Source);
            Assert.True(held.Latched);
            Assert.Contains(rig.Raised, e => e.Source == channel && e.Code == "interlock.raised" && e.Severity == RigEventSeverity.Alarm);
        }
        var refused = await rig.Engine.ResumeAsync("ch1", CancellationToken.None);
        Assert.False(refused.Accepted);
        Assert.Contains("ZoneTripped (zone-a", refused.Message);
        Assert.Contains("clear-fault", refused.Message);
        await rig.RunAsync(TimeSpan.FromSeconds(5));
        Assert.False(rig.OutputOn("ch1"));

        rig.Rig.Hardware.Simulation.Zones["zone-a"].SensorOpen = false;
        await rig.RunAsync(TimeSpan.FromSeconds(2));
        Assert.True(rig.Commands.ClearZone("zone-a").Accepted);
        await rig.RunAsync(TimeSpan.FromSeconds(2));
        Assert.Empty(rig.Held("ch1"));
        Assert.Contains(rig.Raised, e => e.Source == "ch1" && e.Code == "interlock.cleared" && e.Message.Contains("operator", StringComparison.Ordinal));
        Assert.Equal(RunState.Paused, rig.RunState("ch1")); // clearing resumes nothing by itself
        Assert.True((await rig.Engine.ResumeAsync("ch1", CancellationToken.None)).Accepted);
        await rig.RunAsync(TimeSpan.FromSeconds(3));
        Assert.True(rig.OutputOn("ch1"));
    }

    [Fact]
    public async Task An_e_stop_held_60_s_trips_no_heater_fault_and_after_release_nothing_turns_on_until_an_operator_clears_it()
    {
        using var rig = new InterlockRig();
        Assert.True((await rig.StartAsync("ch1")).Accepted);
        await rig.RunAsync(TimeSpan.FromMinutes(2));
        Assert.True(rig.HeaterDuty > 0, "the zone heats toward 40 °C");

        rig.PressEmergencyStop(true);
        await rig.RunAsync(TimeSpan.FromSeconds(60));

        Assert.False(rig.OutputOn("ch1"));
        Assert.Equal(0, rig.HeaterDuty);
        Assert.Null(rig.Zones["zone-a"].Status().Fault); // the old code latched SensorStale after 5 s here
        Assert.Equal(RunState.Paused, rig.RunState("ch1"));
        Assert.Contains(rig.Held("ch1"), i => i.Kind == InterlockKind.EmergencyStop);

        rig.PressEmergencyStop(false);
        await rig.RunAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, rig.HeaterDuty); // released is not cleared: nothing turns on by itself
        Assert.False(rig.OutputOn("ch1"));
        Assert.Null(rig.Zones["zone-a"].Status().Fault);
        Assert.DoesNotContain(rig.Raised, e => e.Code.StartsWith("fault.sensor", StringComparison.Ordinal) || e.Code == "fault.heater_fault");
        var refused = await rig.Engine.ResumeAsync("ch1", CancellationToken.None);
        Assert.False(refused.Accepted);
        Assert.Contains("EmergencyStop", refused.Message);

        Assert.True(rig.Commands.ClearLatched("ch1").Accepted);
        await rig.RunAsync(TimeSpan.FromSeconds(5));
        Assert.True(rig.HeaterDuty > 0, "after the operator's clear the zone regulates again");
        Assert.True((await rig.Engine.ResumeAsync("ch1", CancellationToken.None)).Accepted);
        await rig.RunAsync(TimeSpan.FromSeconds(3));
        Assert.True(rig.OutputOn("ch1"));
    }

    [Fact]
    public async Task Clearing_the_e_stop_while_it_is_still_pressed_is_refused()
    {
        using var rig = new InterlockRig();
        rig.PressEmergencyStop(true);
        await rig.RunAsync(TimeSpan.FromSeconds(2));

        var result = rig.Commands.ClearLatched(null);

        Assert.False(result.Accepted);
        Assert.Contains("still pressed", result.Message);
        Assert.Contains(rig.Held("ch2"), i => i.Kind == InterlockKind.EmergencyStop);
    }

    [Fact]
    public async Task A_zone_temperature_older_than_its_limit_is_recorded_as_missing_and_holds_the_channel()
    {
        using var rig = new InterlockRig();
        Assert.True((await rig.StartAsync("ch1")).Accepted);
        await rig.RunAsync(TimeSpan.FromMinutes(1));
        Assert.NotNull(rig.Rig.State.Channel("ch1").Latest!.Value.Temperature);

        rig.ZoneLoopRuns = false; // a hung sensor read: the zone's last reading stays where it was
        await rig.RunAsync(TimeSpan.FromSeconds(10));

        Assert.Null(rig.Rig.State.Channel("ch1").Latest!.Value.Temperature);
        var recorder = (Rig.Service.Engine.InMemoryTestRecorder)rig.Recorder;
        Assert.Null(recorder.RecentSamples[^1].TemperatureCelsius);
        Assert.Contains(rig.Held("ch1"), i => i.Kind == InterlockKind.ZoneStale && i.Source == "zone-a");
        Assert.Equal(RunState.Paused, rig.RunState("ch1"));
        Assert.False(rig.OutputOn("ch1"));

        rig.ZoneLoopRuns = true;
        await rig.RunAsync(TimeSpan.FromSeconds(2));
        Assert.DoesNotContain(rig.Held("ch1"), i => i.Kind == InterlockKind.ZoneStale);
    }

    [Fact]
    public async Task A_clamp_unplugged_during_a_pause_holds_the_channel_until_it_reads_again()
    {
        using var rig = new InterlockRig();
        Assert.True((await rig.StartAsync("ch1")).Accepted);
        await rig.RunAsync(TimeSpan.FromMinutes(1));
        Assert.True((await rig.Engine.PauseAsync("ch1", "operator", CancellationToken.None)).Accepted);
        await rig.RunAsync(TimeSpan.FromSeconds(2));

        rig.Rig.Hardware.Simulation.Clamps["ch1"].Disconnected = true;
        await rig.RunAsync(TimeSpan.FromSeconds(3));

        Assert.False(rig.OutputOn("ch1"));
        Assert.Equal(RunState.Paused, rig.RunState("ch1"));
        Assert.Contains(rig.Held("ch1"), i => i.Kind == InterlockKind.ClampFault);
        var refused = await rig.Engine.ResumeAsync("ch1", CancellationToken.None);
        Assert.False(refused.Accepted);
        Assert.Contains("ClampFault", refused.Message);

        rig.Rig.Hardware.Simulation.Clamps["ch1"].Disconnected = false;
        await rig.RunAsync(TimeSpan.FromSeconds(2));
        Assert.Empty(rig.Held("ch1"));
        Assert.True((await rig.Engine.ResumeAsync("ch1", CancellationToken.None)).Accepted);
        await rig.RunAsync(TimeSpan.FromSeconds(2));
        Assert.True(rig.OutputOn("ch1"));
    }

    [Fact]
    public async Task An_instrument_lost_while_another_interlock_holds_the_channel_is_listed_beside_it_and_both_must_clear()
    {
        using var rig = new InterlockRig();
        Assert.True((await rig.StartAsync("ch1")).Accepted);
        await rig.RunAsync(TimeSpan.FromMinutes(1));
        rig.Rig.Hardware.Simulation.Clamps["ch1"].Disconnected = true;
        await rig.RunAsync(TimeSpan.FromSeconds(2));

        rig.Rig.Hardware.Simulation.Instruments["ch1"].DisconnectLink();
        await rig.RunAsync(TimeSpan.FromSeconds(10));

        var kinds = rig.Held("ch1").Select(i => i.Kind).ToList();
        Assert.Contains(InterlockKind.ClampFault, kinds);
        Assert.Contains(InterlockKind.InstrumentFault, kinds);
        var refused = await rig.Engine.ResumeAsync("ch1", CancellationToken.None);
        Assert.Contains("ClampFault", refused.Message);
        Assert.Contains("InstrumentFault", refused.Message);

        rig.Rig.Hardware.Simulation.Instruments["ch1"].ReconnectLink();
        await rig.RunAsync(TimeSpan.FromSeconds(10));
        Assert.False(rig.OutputOn("ch1")); // back, but left off
        Assert.Equal([InterlockKind.ClampFault], rig.Held("ch1").Select(i => i.Kind));
        Assert.False((await rig.Engine.ResumeAsync("ch1", CancellationToken.None)).Accepted);

        rig.Rig.Hardware.Simulation.Clamps["ch1"].Disconnected = false;
        await rig.RunAsync(TimeSpan.FromSeconds(2));
        Assert.True((await rig.Engine.ResumeAsync("ch1", CancellationToken.None)).Accepted);
    }

    [Fact]
    public async Task An_exception_thrown_inside_a_channel_loop_ends_that_channel_safe_and_alarmed_and_the_other_channel_runs_on()
    {
        var bomb = new ThrowingObserver();
        using var rig = new InterlockRig(extraOnCh1: bomb);
        Assert.True((await rig.StartAsync("ch1")).Accepted);
        Assert.True((await rig.StartAsync("ch2", "anode-free-full-cell")).Accepted);
        await rig.RunAsync(TimeSpan.FromMinutes(1));
        Assert.True(rig.OutputOn("ch1"));

        bomb.Armed = true;
        await rig.RunAsync(TimeSpan.FromSeconds(3));
        bomb.Armed = false;
        await rig.RunAsync(TimeSpan.FromSeconds(3));

        Assert.False(rig.OutputOn("ch1"));
        Assert.Equal(RunState.Paused, rig.RunState("ch1"));
        var held = Assert.Single(rig.Held("ch1"));
        Assert.Equal(InterlockKind.LoopFailed, held.Kind);
        Assert.Contains("InvalidOperationException", held.Reason);
        Assert.Contains(rig.Raised, e => e.Source == "ch1" && e.Code == "interlock.raised" && e.Message.Contains("LoopFailed", StringComparison.Ordinal));
        Assert.True(rig.OutputOn("ch2"));
        Assert.Equal(RunState.Running, rig.RunState("ch2"));
        Assert.Empty(rig.Held("ch2"));

        Assert.True(rig.Commands.ClearLatched("ch1").Accepted);
        Assert.True((await rig.Engine.ResumeAsync("ch1", CancellationToken.None)).Accepted);
    }

    [Fact]
    public async Task Start_is_refused_on_a_held_channel_with_every_reason()
    {
        using var rig = new InterlockRig();
        rig.PressEmergencyStop(true);
        rig.Rig.Hardware.Simulation.Clamps["ch1"].Disconnected = true;
        await rig.RunAsync(TimeSpan.FromSeconds(2));

        var refused = await rig.StartAsync("ch1");

        Assert.False(refused.Accepted);
        Assert.Contains("EmergencyStop", refused.Message);
        Assert.Contains("ClampFault", refused.Message);
    }

    [Fact]
    public async Task The_channel_state_payload_lists_what_holds_the_channel()
    {
        using var rig = new InterlockRig();
        rig.PressEmergencyStop(true);
        await rig.RunAsync(TimeSpan.FromSeconds(2));

        var json = StatePayload.Build("ch1", rig.Rig.Time.GetUtcNow(), null, rig.Rig.State.Channel("ch1"), null, null, null, rig.Held("ch1"));

        using var doc = JsonDocument.Parse(json);
        var interlock = Assert.Single(doc.RootElement.GetProperty("interlocks").EnumerateArray());
        Assert.Equal("EmergencyStop", interlock.GetProperty("kind").GetString());
        Assert.Equal("e-stop", interlock.GetProperty("source").GetString());
        Assert.True(interlock.GetProperty("latched").GetBoolean());
        Assert.Contains("clear-fault", interlock.GetProperty("cleared_by").GetString());
    }

    [Fact]
    public async Task All_off_turns_every_output_and_heater_off_and_holds_them_until_cleared()
    {
        using var rig = new InterlockRig();
        Assert.True((await rig.StartAsync("ch1")).Accepted);
        await rig.RunAsync(TimeSpan.FromMinutes(1));
        Assert.True(rig.HeaterDuty > 0);

        var result = await rig.Commands.AllOffAsync("operator test", CancellationToken.None);
        Assert.True(result.Accepted);
        Assert.False(rig.OutputOn("ch1"));
        Assert.Equal(0, rig.HeaterDuty);
        await rig.RunAsync(TimeSpan.FromSeconds(30));
        Assert.False(rig.OutputOn("ch1"));
        Assert.Equal(0, rig.HeaterDuty);
        Assert.Null(rig.Zones["zone-a"].Status().Fault);
        Assert.Equal(RunState.Paused, rig.RunState("ch1"));

        Assert.True(rig.Commands.ClearLatched(null).Accepted);
        await rig.RunAsync(TimeSpan.FromSeconds(3));
        Assert.True(rig.HeaterDuty > 0);
    }

    private sealed class ThrowingObserver : IChannelObserver
    {
        public bool Armed { get; set; }

        public ValueTask OnSampleAsync(ChannelSample sample, CancellationToken cancellationToken) =>
            Armed ? throw new InvalidOperationException("injected bug") : ValueTask.CompletedTask;

        public ValueTask OnFaultAsync(string channelId, HardwareFault fault, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
