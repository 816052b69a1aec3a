using Rig.Service.Interlocks;
using Rig.Drivers.Faults;
using Rig.Service.Channels;
using Rig.Service.Configuration;
using Rig.Service.Thermal;
using UnitsNet;

namespace Rig.Service.Tests.Thermal;

public sealed class ThermalSafetyTests
{
    [Fact]
    public async Task An_open_sensor_turns_the_heater_off_on_the_same_tick_latches_and_pauses_the_zones_channels()
    {
        using var rig = new SimulatedZoneRig();
        await rig.RunAsync(TimeSpan.FromMinutes(20));
        Assert.True(rig.Plant.Heater.Duty.DecimalFractions > 0);

        rig.Plant.SensorOpen = true;
        await rig.RunAsync(TimeSpan.FromSeconds(1));

        AssertTrippedWith(rig, FaultKind.SensorFault);
        rig.Plant.SensorOpen = false;
        await rig.RunAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(0, rig.Plant.Heater.Duty.DecimalFractions); // latched: a sensor that recovers does not restart the heater
        Assert.Equal(HeaterZoneMode.Faulted, rig.Controller.Status().Mode);
    }

    [Fact]
    public async Task A_disconnected_heater_is_reported_as_not_heating_at_the_expected_rate_and_left_off()
    {
        using var rig = new SimulatedZoneRig();
        rig.Plant.HeaterDisconnected = true;

        await rig.RunAsync(TimeSpan.FromMinutes(3));

        var fault = AssertTrippedWith(rig, FaultKind.HeaterFault);
        Assert.Contains("not heating at expected rate", fault.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_welded_ssr_is_caught_as_runaway_before_the_over_temperature_cut_off()
    {
        using var rig = new SimulatedZoneRig();
        await rig.RunAsync(TimeSpan.FromMinutes(20));
        rig.Plant.StuckOnDuty = 1.0;

        await rig.RunAsync(TimeSpan.FromMinutes(5));

        var fault = AssertTrippedWith(rig, FaultKind.HeaterFault);
        Assert.Contains("runaway", fault.Message, StringComparison.Ordinal); // a HeaterFault, not OverTemperature: caught first
    }

    [Fact]
    public async Task Reaching_the_cut_off_temperature_is_an_over_temperature_fault()
    {
        var options = new HeaterZoneOptions { MaxCelsius = 45 };
        options.Safety.RunawayMarginKelvin = 20; // so only the cut-off can catch it
        using var rig = new SimulatedZoneRig(options);
        await rig.RunAsync(TimeSpan.FromMinutes(20));
        rig.Plant.StuckOnDuty = 1.0;

        await rig.RunAsync(TimeSpan.FromMinutes(5));

        AssertTrippedWith(rig, FaultKind.OverTemperature);
        Assert.False(rig.Controller.ClearFault().Accepted); // still too hot to clear
    }

    [Fact]
    public async Task A_stalled_control_loop_turns_the_heater_off_from_the_watchers_own_timer()
    {
        using var rig = new SimulatedZoneRig();
        await rig.RunAsync(TimeSpan.FromMinutes(5));
        Assert.True(rig.Plant.Heater.Duty.DecimalFractions > 0);

        rig.Time.Advance(TimeSpan.FromSeconds(4)); // no ticks: the loop is hung
        Assert.Null(rig.Controller.Status().Fault);
        rig.Time.Advance(TimeSpan.FromSeconds(3));

        AssertTrippedWith(rig, FaultKind.ControlLoopStalled);
    }

    [Fact]
    public async Task Lowering_the_setpoint_lets_the_block_cool_without_a_runaway_fault()
    {
        using var rig = new SimulatedZoneRig();
        await rig.RunAsync(TimeSpan.FromMinutes(20));

        Assert.True(rig.Controller.SetSetpoint(Temperature.FromDegreesCelsius(25)).Accepted);
        await rig.RunAsync(TimeSpan.FromMinutes(30));

        Assert.Null(rig.Controller.Status().Fault);
        Assert.InRange(rig.Plant.BlockTemperature.DegreesCelsius, 24.5, 25.5);
    }

    [Fact]
    public async Task After_the_operator_clears_a_fault_the_zone_heats_again()
    {
        using var rig = new SimulatedZoneRig();
        rig.Plant.SensorOpen = true;
        await rig.RunAsync(TimeSpan.FromSeconds(5));
        rig.Plant.SensorOpen = false;

        var cleared = rig.Controller.ClearFault();
        await rig.RunAsync(TimeSpan.FromSeconds(5));

        Assert.True(cleared.Accepted, cleared.Message);
        Assert.True(rig.Plant.Heater.Duty.DecimalFractions > 0);
        Assert.Empty(rig.State.Channel("ch1").Faults);
        Assert.Contains(rig.Events.Recent(), e => e.Code == "heater.fault_cleared");
        Assert.False(rig.Controller.ClearFault().Accepted);
    }

    [Fact]
    public async Task Without_a_test_engine_a_fault_still_turns_the_heater_off_is_reported_and_holds_the_zones_channels()
    {
        using var rig = new SimulatedZoneRig();
        await rig.RunAsync(TimeSpan.FromMinutes(1));
        rig.Plant.SensorOpen = true;

        await rig.RunAsync(TimeSpan.FromSeconds(1));

        Assert.Equal(0, rig.Plant.Heater.Duty.DecimalFractions);
        Assert.Contains(rig.Events.Recent(), e => e.Code == "fault.sensor_fault" && e.Severity == RigEventSeverity.Alarm);
        Assert.All(new[] { "ch1", "ch2" }, c => Assert.Contains(rig.State.Interlocks.Active(c), i => i.Kind == InterlockKind.ZoneTripped && i.Source == SimulatedZoneRig.ZoneId));
    }

    [Fact]
    public async Task A_loop_that_ends_because_the_service_stops_is_not_reported_as_stalled()
    {
        using var rig = new SimulatedZoneRig();
        using var stop = new CancellationTokenSource();
        var loop = rig.Controller.RunAsync(stop.Token);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop);

        rig.Time.Advance(TimeSpan.FromMinutes(1));

        Assert.Null(rig.Controller.Status().Fault);
        Assert.Equal(0, rig.Plant.Heater.Duty.DecimalFractions);
    }

    [Fact]
    public async Task A_reading_older_than_the_allowed_age_is_a_stale_sensor_fault()
    {
        using var rig = new SimulatedZoneRig(sensor: plant => new FrozenClockSensor(plant));
        await rig.RunAsync(TimeSpan.FromSeconds(3));
        Assert.Null(rig.Controller.Status().Fault);

        await rig.RunAsync(TimeSpan.FromSeconds(5));

        AssertTrippedWith(rig, FaultKind.SensorStale);
    }

    private static HardwareFault AssertTrippedWith(SimulatedZoneRig rig, FaultKind kind)
    {
        Assert.Equal(0, rig.Plant.Heater.Duty.DecimalFractions);
        var status = rig.Controller.Status();
        Assert.Equal(HeaterZoneMode.Faulted, status.Mode);
        Assert.Equal(kind, status.Fault!.Kind);
        var alarms = rig.Events.Recent().Where(e => e.Severity == RigEventSeverity.Alarm).ToList();
        Assert.Single(alarms);
        Assert.Equal(RigEvent.CodeFor(kind), alarms[0].Code);
        Assert.Equal(["ch1", "ch2"], new[] { "ch1", "ch2" }.Where(c => rig.State.Interlocks.Active(c).Any(i => i.Kind == InterlockKind.ZoneTripped)));
        Assert.Contains(rig.State.Channel("ch2").Faults, f => f.Kind == kind && f.Channel == "ch2");
        return status.Fault;
    }
}

/// <summary>A driver that keeps handing back its first reading (a cached value that never updates).</summary>
internal sealed class FrozenClockSensor : Rig.Drivers.TemperatureSensors.ITemperatureSensor
{
    private readonly Rig.Drivers.TemperatureSensors.ITemperatureSensor _inner;
    private Rig.Drivers.TemperatureSensors.TemperatureReading? _first;

    public FrozenClockSensor(Rig.Drivers.Heaters.Simulated.SimulatedThermalZone plant)
    {
        _inner = plant.Sensor;
    }

    public string Device => "cached-probe";

    public async ValueTask<Rig.Drivers.TemperatureSensors.TemperatureReading> ReadAsync(CancellationToken cancellationToken) =>
        _first ??= await _inner.ReadAsync(cancellationToken);
}
