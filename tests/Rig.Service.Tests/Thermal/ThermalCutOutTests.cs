using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Rig.Drivers.DigitalInputs;
using Rig.Drivers.Faults;
using Rig.Drivers.Heaters.Simulated;
using Rig.Service.Channels;
using Rig.Service.Configuration;
using Rig.Service.Hardware;
using Rig.Service.Interlocks;
using Rig.Service.Thermal;
using UnitsNet;

namespace Rig.Service.Tests.Thermal;

/// <summary>
/// The zone's second, independent over-temperature input: the block's thermal cut-out switch. It trips the zone without
/// trusting the temperature sensor.
/// </summary>
public sealed class ThermalCutOutTests
{
    [Fact]
    public async Task A_cut_out_that_opens_while_the_sensor_reads_normal_turns_the_heater_off_latches_alarms_and_holds_the_zones_channels()
    {
        SimulatedThermalCutOut? cutOut = null;
        using var rig = new SimulatedZoneRig(cutOut: plant => cutOut = new SimulatedThermalCutOut(plant, openCelsius: 70));
        await rig.RunAsync(TimeSpan.FromMinutes(20));
        Assert.True(rig.Plant.Heater.Duty.DecimalFractions > 0);
        Assert.False(rig.Controller.Status().CutOutOpen);

        cutOut!.ForcedOpen = true;
        await rig.RunAsync(TimeSpan.FromSeconds(1));

        var status = rig.Controller.Status();
        Assert.InRange(status.Temperature!.Value.DegreesCelsius, 39.5, 40.5); // the sensor sees nothing wrong
        Assert.Equal(HeaterZoneMode.Faulted, status.Mode);
        Assert.Equal(FaultKind.CutOut, status.Fault!.Kind);
        Assert.Equal(cutOut.Device, status.Fault.Device);
        Assert.True(status.CutOutOpen);
        Assert.Equal(0, rig.Plant.Heater.Duty.DecimalFractions);
        Assert.Contains(rig.Events.Recent(), e => e.Code == "fault.cut_out" && e.Severity == RigEventSeverity.Alarm);
        Assert.All(new[] { "ch1", "ch2" }, c =>
        {
            Assert.Contains(rig.State.Interlocks.Active(c), i => i.Kind == InterlockKind.ZoneTripped && i.Source == SimulatedZoneRig.ZoneId);
            Assert.Contains(rig.State.Channel(c).Faults, f => f.Kind == FaultKind.CutOut);
        });

        // What a dashboard reads from the retained zone state: the switch open and the fault it caused.
        using (var published = System.Text.Json.JsonDocument.Parse(Rig.Service.Telemetry.ZoneStatePublisher.Payload(status, DateTimeOffset.UnixEpoch)))
        {
            Assert.True(published.RootElement.GetProperty("cut_out").GetProperty("open").GetBoolean());
            Assert.Equal("CutOut", published.RootElement.GetProperty("fault").GetProperty("kind").GetString());
            Assert.Equal("faulted", published.RootElement.GetProperty("mode").GetString());
        }

        Assert.False(rig.Controller.ClearFault().Accepted); // still open
        cutOut.ForcedOpen = false;
        await rig.RunAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(0, rig.Plant.Heater.Duty.DecimalFractions); // latched: a switch that closes again does not restart the heater
        Assert.True(rig.Controller.ClearFault().Accepted);
        await rig.RunAsync(TimeSpan.FromSeconds(5));
        Assert.True(rig.Plant.Heater.Duty.DecimalFractions > 0);
        Assert.Empty(rig.State.Interlocks.Active("ch1"));
    }

    [Fact]
    public async Task The_cut_out_is_read_by_the_watchers_own_timer_so_a_hung_loop_does_not_hide_it()
    {
        SimulatedThermalCutOut? cutOut = null;
        using var rig = new SimulatedZoneRig(cutOut: plant => cutOut = new SimulatedThermalCutOut(plant, openCelsius: 70));
        await rig.RunAsync(TimeSpan.FromMinutes(5));

        cutOut!.ForcedOpen = true;
        rig.Time.Advance(rig.Options.Safety.CheckPeriod); // no loop tick

        Assert.Equal(FaultKind.CutOut, rig.Controller.Status().Fault?.Kind);
        Assert.Equal(0, rig.Plant.Heater.Duty.DecimalFractions);
    }

    [Fact]
    public async Task A_sensor_frozen_at_the_set_point_with_a_welded_ssr_is_caught_by_the_cut_out_at_its_rating()
    {
        SimulatedThermalCutOut? cutOut = null;
        using var rig = new SimulatedZoneRig(cutOut: plant => cutOut = new SimulatedThermalCutOut(plant, openCelsius: 70));
        await rig.RunAsync(TimeSpan.FromMinutes(20));
        // the converter hangs on a plausible reading with noise (so the no-noise rule cannot see it) and the SSR welds:
        // the cut-off, the runaway check and the stuck check all read that sensor
        rig.Plant.FrozenReading = Temperature.FromDegreesCelsius(40);
        rig.Plant.FrozenNoiseKelvin = 0.01;
        rig.Plant.StuckOnDuty = 1.0;
        var trippedAt = double.NaN;

        await rig.RunAsync(TimeSpan.FromMinutes(30), () =>
        {
            if (double.IsNaN(trippedAt) && rig.Controller.Status().Fault is not null)
            {
                trippedAt = rig.Plant.BlockTemperature.DegreesCelsius;
            }
        });

        Assert.Equal(FaultKind.CutOut, rig.Controller.Status().Fault?.Kind);
        Assert.InRange(trippedAt, 70, 70.5);
    }

    [Fact]
    public void A_cut_out_input_that_cannot_be_read_counts_as_open()
    {
        using var rig = new SimulatedZoneRig(cutOut: _ => new BrokenInput());

        rig.Time.Advance(rig.Options.Safety.CheckPeriod);

        var fault = rig.Controller.Status().Fault;
        Assert.Equal(FaultKind.CutOut, fault?.Kind);
        Assert.Contains("cannot be read", fault!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_simulated_zone_configured_with_a_cut_out_exposes_it_in_the_simulated_devices()
    {
        var options = new RigOptions
        {
            HeaterZones = { ["die-block"] = new HeaterZoneOptions { CutOut = new ThermalCutOutOptions { Kind = ThermalCutOutKind.Simulated, SimulatedOpenCelsius = 65 } } },
        };
        var hardware = new RigHardwareBuilder(Microsoft.Extensions.Options.Options.Create(options), new FakeTimeProvider()).Build();

        var cutOut = hardware.Simulation.CutOuts["die-block"];
        Assert.Same(cutOut, hardware.Zones["die-block"].CutOut);
        Assert.Equal(65, cutOut.OpenCelsius);
        Assert.False(cutOut.IsActive());
    }

    private sealed class BrokenInput : IDigitalInput
    {
        public string Device => "gpio22";

        public bool IsActive() => throw new IOException("gpiochip0 is gone");
    }
}
