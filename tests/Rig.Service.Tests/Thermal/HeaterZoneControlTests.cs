using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rig.Service.Configuration;
using Rig.Service.Hardware;
using Rig.Service.Thermal;
using Rig.Service.Tests.Support;
using UnitsNet;

namespace Rig.Service.Tests.Thermal;

public sealed class HeaterZoneControlTests
{
    [Fact]
    public void Commands_reach_the_named_zone_and_an_unknown_zone_is_refused()
    {
        using var rig = new SimulatedZoneRig();
        using var zones = ZonesOf(rig);
        IHeaterZoneControl control = zones;

        Assert.True(control.SetSetpoint(SimulatedZoneRig.ZoneId, Temperature.FromDegreesCelsius(35)).Accepted);
        Assert.Equal(35, control.Status().Single().Setpoint.DegreesCelsius);
        var unknown = control.SetSetpoint("oven-9", Temperature.FromDegreesCelsius(35));
        Assert.False(unknown.Accepted);
        Assert.Contains(SimulatedZoneRig.ZoneId, unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_setpoint_at_or_above_the_cut_off_is_refused_and_changes_nothing()
    {
        using var rig = new SimulatedZoneRig();

        var result = rig.Controller.SetSetpoint(Temperature.FromDegreesCelsius(60));

        Assert.False(result.Accepted);
        Assert.Equal(40, rig.Controller.Setpoint.DegreesCelsius);
    }

    [Fact]
    public void Negative_or_non_finite_gains_are_refused()
    {
        using var rig = new SimulatedZoneRig();
        var before = rig.Controller.Status().Gains;

        Assert.False(rig.Controller.SetGains(new PidGains(-1, 0, 0)).Accepted);
        Assert.False(rig.Controller.SetGains(new PidGains(0.1, double.NaN, 0)).Accepted);
        Assert.Equal(before, rig.Controller.Status().Gains);
        Assert.True(rig.Controller.SetGains(new PidGains(0.3, 0.001, 2)).Accepted);
    }

    [Fact]
    public void The_setpoint_cannot_move_while_an_autotune_runs_until_it_is_cancelled()
    {
        using var rig = new SimulatedZoneRig();
        rig.Controller.StartAutotune();

        Assert.False(rig.Controller.SetSetpoint(Temperature.FromDegreesCelsius(35)).Accepted);
        Assert.True(rig.Controller.CancelAutotune().Accepted);
        Assert.True(rig.Controller.SetSetpoint(Temperature.FromDegreesCelsius(35)).Accepted);
    }

    [Fact]
    public async Task Every_tick_records_the_zone_reading_the_channels_use()
    {
        using var rig = new SimulatedZoneRig();

        await rig.RunAsync(TimeSpan.FromSeconds(3));

        var reading = rig.State.Zone(SimulatedZoneRig.ZoneId)!.Value;
        Assert.Equal(rig.Time.GetUtcNow(), reading.Timestamp);
        Assert.Equal(40, reading.Setpoint.DegreesCelsius);
        Assert.Equal(rig.Plant.Heater.Duty, reading.HeaterDuty);
    }

    [Fact]
    public async Task A_set_point_and_gains_changed_at_run_time_survive_a_restart()
    {
        var state = Directory.CreateTempSubdirectory("rig-zone-settings-").FullName;
        try
        {
            using (var rig = new SimulatedZoneRig())
            {
                var zones = ZonesOf(rig, state);
                Assert.True(zones.SetSetpoint(SimulatedZoneRig.ZoneId, Temperature.FromDegreesCelsius(45)).Accepted);
                Assert.True(zones.SetGains(SimulatedZoneRig.ZoneId, new PidGains(0.5, 0.003, 2)).Accepted);
                Assert.True(zones.SetSetpoint(SimulatedZoneRig.ZoneId, Temperature.FromDegreesCelsius(99)).Accepted is false); // refused: not saved
            }
            using (var restarted = new SimulatedZoneRig())
            {
                var status = ZonesOf(restarted, state).Status()[0];
                Assert.Equal(45, status.Setpoint.DegreesCelsius, 6);
                Assert.Equal(new PidGains(0.5, 0.003, 2), status.Gains);
                await restarted.RunAsync(TimeSpan.FromSeconds(2));
            }
            // The cut-off was lowered in the configuration since: the saved set-point is refused, the configured one kept.
            using (var stricter = new SimulatedZoneRig())
            {
                stricter.Options.MaxCelsius = 44;
                Assert.Equal(stricter.Options.SetpointCelsius, ZonesOf(stricter, state).Status()[0].Setpoint.DegreesCelsius, 6);
            }
            // A damaged file is reported and ignored: the zone runs on its configuration.
            await File.WriteAllTextAsync(Path.Combine(state, "heater", SimulatedZoneRig.ZoneId + ".json"), "{ not json");
            using (var damaged = new SimulatedZoneRig())
            {
                Assert.Equal(damaged.Options.SetpointCelsius, ZonesOf(damaged, state).Status()[0].Setpoint.DegreesCelsius, 6);
            }
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    private static HeaterZones ZonesOf(SimulatedZoneRig rig, string? stateDirectory = null)
    {
        var options = new RigOptions
        {
            HeaterZones = { [SimulatedZoneRig.ZoneId] = rig.Options },
            StateDirectory = stateDirectory ?? TestScratch.NewStateDirectory(),
        };
        var hardware = new RigHardware(
            new Dictionary<string, ChannelHardware>(),
            new Dictionary<string, HeaterZoneHardware> { [SimulatedZoneRig.ZoneId] = new(SimulatedZoneRig.ZoneId, rig.Options, rig.Plant.Sensor, rig.Plant.Heater) },
            null,
            new SimulatedDevices());
        var reaction = new ZoneFaultReaction(rig.Events, rig.State, rig.Time, new Dictionary<string, IReadOnlyList<string>>(),
            NullLogger<ZoneFaultReaction>.Instance);
        return new HeaterZones(hardware, Options.Create(options), rig.State, reaction, rig.Time, NullLoggerFactory.Instance);
    }
}
