using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rig.Service.Configuration;
using Rig.Service.Control;
using Rig.Service.Hardware;
using Rig.Service.Telemetry;
using Rig.Service.Thermal;
using Rig.Service.Tests.Support;

namespace Rig.Service.Tests.Thermal;

/// <summary>The heater-tuning verbs on the simulated block, on the virtual clock.</summary>
public sealed class HeaterTuningVerbsTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("rig-tuning-").FullName;
    private readonly Dictionary<string, RunState> _runs = [];

    public void Dispose() => Directory.Delete(_state, recursive: true);

    [Fact]
    public async Task Autotune_publishes_progress_then_a_proposal_and_accepted_gains_survive_a_restart()
    {
        AutotuneProposal proposal;
        using (var rig = new SimulatedZoneRig())
        using (var zones = ZonesOf(rig))
        {
            var verbs = VerbsOf(zones);
            await RunAsync(rig, zones, TimeSpan.FromMinutes(10));

            var started = await verbs.SendAsync("autotune-heater", $$"""{"zone":"{{SimulatedZoneRig.ZoneId}}"}""");
            Assert.True(started.Ok, started.Message);
            await RunAsync(rig, zones, TimeSpan.FromMinutes(10));
            var running = Json(zones.Status()[0], rig);
            Assert.Equal("autotuning", running.GetProperty("mode").GetString());
            Assert.InRange(running.GetProperty("autotune").GetProperty("peaks").GetInt32(), 1, 11);
            Assert.Equal(12, running.GetProperty("autotune").GetProperty("peaks_wanted").GetInt32());

            await RunAsync(rig, zones, TimeSpan.FromHours(2.5));
            var done = Json(zones.Status()[0], rig);
            Assert.Equal("regulating", done.GetProperty("mode").GetString());
            Assert.True(done.GetProperty("proposal").GetProperty("gains").GetProperty("kp_per_K").GetDouble() > 0);
            proposal = zones.Status()[0].Proposal!;

            var accepted = await verbs.SendAsync("accept-gains", $$"""{"zone":"{{SimulatedZoneRig.ZoneId}}"}""");
            Assert.True(accepted.Ok, accepted.Message);
            Assert.Equal(proposal.Gains, zones.Status()[0].Gains);
            Assert.False((await verbs.SendAsync("reject-gains", $$"""{"zone":"{{SimulatedZoneRig.ZoneId}}"}""")).Ok); // used up
        }
        using var restarted = new SimulatedZoneRig();
        using var again = ZonesOf(restarted);
        Assert.Equal(proposal.Gains, again.Status()[0].Gains);
    }

    [Fact]
    public async Task An_autotune_is_refused_while_a_channel_of_the_zone_runs_a_test_unless_forced()
    {
        using var rig = new SimulatedZoneRig();
        using var zones = ZonesOf(rig);
        var verbs = VerbsOf(zones);
        _runs["ch2"] = RunState.Running;

        var refused = await verbs.SendAsync("autotune-heater", $$"""{"zone":"{{SimulatedZoneRig.ZoneId}}"}""");
        Assert.False(refused.Ok);
        Assert.Contains("ch2", refused.Message, StringComparison.Ordinal);
        Assert.Equal(HeaterZoneMode.Regulating, zones.Status()[0].Mode);

        var forced = await verbs.SendAsync("autotune-heater", $$"""{"zone":"{{SimulatedZoneRig.ZoneId}}","target_degC":38,"force":true}""");
        Assert.True(forced.Ok, forced.Message);
        Assert.Equal(38, zones.Status()[0].Autotune!.Target.DegreesCelsius, 6);
        Assert.True((await verbs.SendAsync("cancel-autotune", $$"""{"zone":"{{SimulatedZoneRig.ZoneId}}"}""")).Ok);
        Assert.Equal(HeaterZoneMode.Regulating, zones.Status()[0].Mode);
    }

    [Theory]
    [InlineData("set-gains", """{"zone":"die-block","kp_per_K":102,"ki_per_K_s":0.5,"kd_s_per_K":700}""", "kp_per_K must be between 0 and 5")]
    [InlineData("set-gains", """{"zone":"die-block","kp_per_K":0.5,"ki_per_K_s":-0.001,"kd_s_per_K":3}""", "ki_per_K_s must be between 0 and 0.1")]
    [InlineData("set-gains", """{"zone":"die-block","kp_per_K":0.5,"ki_per_K_s":0.001}""", "'kd_s_per_K' is required")]
    [InlineData("set-gains", """{"zone":"oven","kp_per_K":0.5,"ki_per_K_s":0.001,"kd_s_per_K":3}""", "unknown heater zone 'oven'")]
    [InlineData("autotune-heater", """{"zone":"die-block","target_degC":57}""", "below the zone's cut-off")]
    [InlineData("autotune-heater", """{"zone":"die-block","force":"yes"}""", "'force' must be true or false")]
    [InlineData("reject-gains", """{"zone":"die-block"}""", "no autotune proposal")]
    [InlineData("accept-gains", """{"zone":"die-block"}""", "no autotune proposal")]
    [InlineData("cancel-autotune", """{"zone":"die-block"}""", "not autotuning")]
    public async Task A_bad_tuning_command_is_refused_saying_why_and_changes_nothing(string verb, string payload, string why)
    {
        using var rig = new SimulatedZoneRig();
        using var zones = ZonesOf(rig);
        var before = zones.Status()[0];

        var reply = await VerbsOf(zones).SendAsync(verb, payload);

        Assert.False(reply.Ok);
        Assert.Contains(why, reply.Message, StringComparison.Ordinal);
        var after = zones.Status()[0];
        Assert.Equal(before.Gains, after.Gains);
        Assert.Equal(before.Mode, after.Mode);
        Assert.False(File.Exists(Path.Combine(_state, "heater", SimulatedZoneRig.ZoneId + ".json")));
    }

    [Fact]
    public async Task Set_gains_in_range_applies_and_saves_them()
    {
        using var rig = new SimulatedZoneRig();
        using var zones = ZonesOf(rig);

        var reply = await VerbsOf(zones).SendAsync("set-gains", """{"zone":"die-block","kp_per_K":0.8,"ki_per_K_s":0.004,"kd_s_per_K":9}""");

        Assert.True(reply.Ok, reply.Message);
        Assert.Equal(new PidGains(0.8, 0.004, 9), zones.Status()[0].Gains);
        Assert.True(File.Exists(Path.Combine(_state, "heater", SimulatedZoneRig.ZoneId + ".json")));
    }

    /// <summary>Ticks the zones' own controller (the rig's stand-alone one is stopped in <see cref="ZonesOf"/>).</summary>
    private static async Task RunAsync(SimulatedZoneRig rig, HeaterZones zones, TimeSpan duration)
    {
        var end = rig.Time.GetUtcNow() + duration;
        while (rig.Time.GetUtcNow() < end)
        {
            rig.Time.Advance(rig.Options.ControlPeriod);
            await zones[SimulatedZoneRig.ZoneId].TickAsync(CancellationToken.None);
        }
    }

    private static JsonElement Json(HeaterZoneStatus status, SimulatedZoneRig rig) =>
        JsonDocument.Parse(ZoneStatePublisher.Payload(status, rig.Time.GetUtcNow())).RootElement;

    private HeaterTuningVerbs VerbsOf(HeaterZones zones)
    {
        var options = RigOptionsFor(new HeaterZoneOptions());
        var services = new ServiceCollection().AddSingleton<ITestControl>(new RunStates(_runs)).BuildServiceProvider();
        return new HeaterTuningVerbs(zones, Options.Create(options), services);
    }

    private RigOptions RigOptionsFor(HeaterZoneOptions zone) => new()
    {
        HeaterZones = { [SimulatedZoneRig.ZoneId] = zone },
        Channels =
        {
            ["ch1"] = new ChannelOptions { HeaterZone = SimulatedZoneRig.ZoneId },
            ["ch2"] = new ChannelOptions { HeaterZone = SimulatedZoneRig.ZoneId },
        },
        StateDirectory = _state,
    };

    private HeaterZones ZonesOf(SimulatedZoneRig rig)
    {
        rig.Controller.Dispose(); // its safety watcher would see a stalled loop: the zones' controller drives this plant
        var hardware = new RigHardware(
            new Dictionary<string, ChannelHardware>(),
            new Dictionary<string, HeaterZoneHardware> { [SimulatedZoneRig.ZoneId] = new(SimulatedZoneRig.ZoneId, rig.Options, rig.Plant.Sensor, rig.Plant.Heater) },
            null,
            new SimulatedDevices());
        var reaction = new ZoneFaultReaction(rig.Events, rig.State, rig.Time, new Dictionary<string, IReadOnlyList<string>>(),
            NullLogger<ZoneFaultReaction>.Instance);
        return new HeaterZones(hardware, Options.Create(RigOptionsFor(rig.Options)), rig.State, reaction, rig.Time, NullLoggerFactory.Instance);
    }

    /// <summary>An engine stand-in that reports the given channels as running.</summary>
    private sealed class RunStates(Dictionary<string, RunState> runs) : ITestControl
    {
        public Task<CommandResult> StartAsync(StartTestRequest request, CancellationToken cancellationToken) => Task.FromResult(CommandResult.Refused("unused"));

        public Task<CommandResult> PauseAsync(string channelId, string reason, CancellationToken cancellationToken) => Task.FromResult(CommandResult.Refused("unused"));

        public Task<CommandResult> ResumeAsync(string channelId, CancellationToken cancellationToken) => Task.FromResult(CommandResult.Refused("unused"));

        public Task<CommandResult> AbortAsync(string channelId, string reason, CancellationToken cancellationToken) => Task.FromResult(CommandResult.Refused("unused"));

        public IReadOnlyList<ChannelRunStatus> Status() =>
            [.. runs.Select(r => new ChannelRunStatus(r.Key, r.Value, "t-1", "p", 1, 0, null, null))];
    }
}
