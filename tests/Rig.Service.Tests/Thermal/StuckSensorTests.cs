using Rig.Service.Interlocks;
using Rig.Drivers.Faults;
using Rig.Service.Channels;
using Rig.Service.Thermal;
using UnitsNet;
using Xunit.Abstractions;

namespace Rig.Service.Tests.Thermal;

/// <summary>A sensor that answers with fresh timestamps but no longer measures, on the simulated block and the virtual clock.</summary>
public sealed class StuckSensorTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_reading_frozen_at_the_setpoint_trips_sensor_stuck_within_the_window_and_the_heater_goes_off()
    {
        using var rig = new SimulatedZoneRig();
        await rig.RunAsync(TimeSpan.FromMinutes(20));
        rig.Plant.FrozenReading = rig.Controller.Setpoint; // a hung converter repeating a value right at the target

        await rig.RunAsync(TimeSpan.FromMinutes(2.5));

        var status = rig.Controller.Status();
        Assert.Equal(HeaterZoneMode.Faulted, status.Mode);
        Assert.Equal(FaultKind.SensorStuck, status.Fault!.Kind);
        Assert.Contains("frozen", status.Fault.Message, StringComparison.Ordinal);
        Assert.Equal(0, rig.Plant.Heater.Duty.DecimalFractions);
        Assert.Equal(["ch1", "ch2"], new[] { "ch1", "ch2" }.Where(c => rig.State.Interlocks.Active(c).Any(i => i.Kind == InterlockKind.ZoneTripped)));
        Assert.Contains(rig.Events.Recent(), e => e.Code == RigEvent.CodeFor(FaultKind.SensorStuck));
    }

    [Fact]
    public async Task A_noisy_reading_frozen_below_the_setpoint_trips_when_the_heater_power_does_not_move_it_before_the_cut_off()
    {
        using var rig = new SimulatedZoneRig();
        await rig.RunAsync(TimeSpan.FromMinutes(20));
        // The front end still shows noise, so the flat-line rule cannot see it; the PID winds up against the offset.
        rig.Plant.FrozenReading = Temperature.FromDegreesCelsius(39.7);
        rig.Plant.FrozenNoiseKelvin = 0.01;
        var peak = 0.0;
        var tripped = TimeSpan.Zero;
        var start = rig.Time.GetUtcNow();

        await rig.RunAsync(TimeSpan.FromHours(2), () =>
        {
            peak = Math.Max(peak, rig.Plant.BlockTemperature.DegreesCelsius);
            if (tripped == TimeSpan.Zero && rig.Controller.Status().Fault is not null)
            {
                tripped = rig.Time.GetUtcNow() - start;
            }
        });

        output.WriteLine($"{rig.Controller.Status().Fault}");
        output.WriteLine($"tripped after {tripped.TotalMinutes:0.0} min, block peaked at {peak:0.00} °C");
        var fault = rig.Controller.Status().Fault;
        Assert.Equal(FaultKind.SensorStuck, fault!.Kind);
        Assert.Contains("does not follow the heater", fault.Message, StringComparison.Ordinal);
        Assert.InRange(peak, 40, 55); // caught well before the 60 °C cut-off the frozen sensor could never report
    }

    [Fact]
    public async Task Day_long_normal_noisy_operation_with_doors_setpoint_changes_and_an_autotune_never_trips()
    {
        using var rig = new SimulatedZoneRig();
        var day = TimeSpan.FromHours(24);
        var start = rig.Time.GetUtcNow();
        await rig.RunAsync(day, () =>
        {
            var t = rig.Time.GetUtcNow() - start;
            var minute = (int)t.TotalMinutes;
            // A door opened for a minute every 47 min, the room slowly warming and cooling over the day (±25 % loss).
            rig.Plant.AmbientLossMultiplier = (minute % 47 == 30 ? 2.0 : 1.0) * (1 + 0.25 * Math.Sin(2 * Math.PI * t.TotalHours / 24));
            if (t == TimeSpan.FromHours(3))
            {
                rig.Controller.SetSetpoint(Temperature.FromDegreesCelsius(45));
            }
            if (t == TimeSpan.FromHours(5))
            {
                rig.Controller.SetSetpoint(Temperature.FromDegreesCelsius(30));
            }
            if (t == TimeSpan.FromHours(8))
            {
                rig.Controller.SetSetpoint(Temperature.FromDegreesCelsius(40));
            }
            if (t == TimeSpan.FromHours(10))
            {
                Assert.True(rig.Controller.StartAutotune().Accepted);
            }
            if (t == TimeSpan.FromHours(13))
            {
                // the rest of the day on the autotuned gains: stiffer control moves the duty more for the same doors
                Assert.True(rig.Controller.AcceptAutotune().Accepted);
            }
        });

        Assert.Null(rig.Controller.Status().Fault);
        Assert.DoesNotContain(rig.Events.Recent(), e => e.Severity == RigEventSeverity.Alarm);
    }
}
