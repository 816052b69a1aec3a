using Rig.Drivers.Heaters;
using Rig.Drivers.TemperatureSensors;
using Rig.Service.Channels;
using Rig.Service.Control;
using Rig.Service.Interlocks;
using Rig.Service.Tests.Interlocks;
using Rig.Service.Thermal;
using UnitsNet;

namespace Rig.Service.Tests.Thermal;

/// <summary>
/// Issue 14, no silent failure in a zone loop: whatever a zone's devices throw, the tick ends with the heater off and
/// latched, an alarm naming the zone, the channels it warms held by ZoneTripped, and the loop still ticking (the old
/// loop died: a driver's own OperationCanceledException, or a heater output whose off throws, escaped the tick).
/// Virtual clock, the composed simulated rig.
/// </summary>
public sealed class ZoneLoopFailureTests
{
    [Fact]
    public async Task A_thermometer_throwing_its_own_cancellation_trips_the_zone_and_holds_its_channels_and_the_loop_ticks_on()
    {
        ThrowingSensor? sensor = null;
        using var rig = new InterlockRig(zoneDevices: z => z with { Sensor = sensor = new ThrowingSensor(z.Sensor) });
        Assert.True((await rig.StartAsync("ch1")).Accepted);
        await rig.RunAsync(TimeSpan.FromMinutes(1));
        Assert.True(rig.HeaterDuty > 0);

        sensor!.Throw = () => new TaskCanceledException("the driver's own read time-out");
        await rig.RunAsync(TimeSpan.FromSeconds(3)); // the old tick threw here, ending the zone loop

        AssertTrippedAndHeld(rig, "TaskCanceledException");

        sensor.Throw = null;
        await rig.RunAsync(TimeSpan.FromSeconds(2));
        Assert.True(rig.Commands.ClearZone("zone-a").Accepted);
        await rig.RunAsync(TimeSpan.FromSeconds(5));
        Assert.True(rig.HeaterDuty > 0, "after the clear the zone regulates again");
        Assert.DoesNotContain(rig.Held("ch1"), i => i.Kind == InterlockKind.ZoneTripped);
    }

    [Fact]
    public async Task A_heater_output_whose_duty_and_off_both_throw_is_latched_alarmed_and_its_channels_held()
    {
        ThrowingHeater? heater = null;
        using var rig = new InterlockRig(zoneDevices: z => z with { Heater = heater = new ThrowingHeater(z.Heater) });
        Assert.True((await rig.StartAsync("ch1")).Accepted);
        await rig.RunAsync(TimeSpan.FromMinutes(1));

        heater!.Broken = true;
        await rig.RunAsync(TimeSpan.FromSeconds(3)); // the old tick threw here (the trip's own off threw before the latch)

        AssertTrippedAndHeld(rig, "heater output broken");
        Assert.Contains(rig.Raised, e => e.Source == "zone-a" && e.Message.Contains("did not confirm off", StringComparison.Ordinal));

        heater.Broken = false;
        await rig.RunAsync(TimeSpan.FromSeconds(2));
        Assert.Equal(0, rig.HeaterDuty); // latched: nothing turns it back on by itself
        Assert.True(rig.Commands.ClearZone("zone-a").Accepted);
        await rig.RunAsync(TimeSpan.FromSeconds(5));
        Assert.True(rig.HeaterDuty > 0);
    }

    private static void AssertTrippedAndHeld(InterlockRig rig, string named)
    {
        var status = rig.Zones["zone-a"].Status();
        Assert.Equal(HeaterZoneMode.Faulted, status.Mode);
        Assert.Contains(named, status.Fault!.Message);
        Assert.Equal(0, rig.HeaterDuty);
        Assert.Contains(rig.Raised, e => e.Source == "zone-a" && e.Severity == RigEventSeverity.Alarm && e.Message.Contains(named, StringComparison.Ordinal));
        foreach (var channel in new[] { "ch1", "ch2" })
        {
            var held = Assert.Single(rig.Held(channel), i => i.Kind == InterlockKind.ZoneTripped);
            Assert.Equal("zone-a", held.Source);
            Assert.True(held.Latched);
        }
        Assert.False(rig.OutputOn("ch1"));
        Assert.Equal(RunState.Paused, rig.RunState("ch1"));
    }

    private sealed class ThrowingSensor(ITemperatureSensor inner) : ITemperatureSensor
    {
        public Func<Exception>? Throw { get; set; }

        public string Device => inner.Device;

        public ValueTask<TemperatureReading> ReadAsync(CancellationToken cancellationToken) =>
            Throw is { } make ? throw make() : inner.ReadAsync(cancellationToken);
    }

    /// <summary>A heater output that breaks its contract: duty and off both throw while broken.</summary>
    private sealed class ThrowingHeater(IHeaterOutput inner) : IHeaterOutput
    {
        public bool Broken { get; set; }

        public string Device => inner.Device;

        public Ratio Duty => inner.Duty;

        public void SetDuty(Ratio duty)
        {
            if (Broken)
            {
                inner.TurnOff(); // what a real output's dead-man does when nothing reaches it
                throw new IOException("heater output broken (GPIO write failed)");
            }
            inner.SetDuty(duty);
        }

        public void TurnOff()
        {
            if (Broken)
            {
                inner.TurnOff();
                throw new IOException("heater output broken (GPIO write failed)");
            }
            inner.TurnOff();
        }
    }
}
