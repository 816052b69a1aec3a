using Rig.Service.Interlocks;
using Rig.Drivers.Faults;
using Rig.Service.Channels;
using Rig.Service.Tests.Support;
using UnitsNet;

namespace Rig.Service.Tests.Channels;

public class EmergencyStopTests
{
    [Fact]
    public async Task Pressing_the_e_stop_turns_every_output_and_heater_off_and_raises_an_alarm()
    {
        var rig = new TestRig();
        var raised = new List<RigEvent>();
        rig.Events.Raised += raised.Add;
        foreach (var instrument in rig.Hardware.Simulation.Instruments.Values)
        {
            await instrument.SourceCurrentAsync(ElectricCurrent.FromMilliamperes(0.5), ElectricPotential.FromVolts(4), CancellationToken.None);
        }
        rig.Hardware.Zones["zone-a"].Heater.SetDuty(Ratio.FromDecimalFractions(0.8));

        rig.Hardware.Simulation.EmergencyStop!.Set(true);
        await rig.EmergencyStopMonitor().TickAsync();

        Assert.True(rig.State.EmergencyStopActive);
        Assert.All(rig.Hardware.Simulation.Instruments.Values, i => Assert.False(i.OutputOn));
        Assert.Equal(0, rig.Hardware.Zones["zone-a"].Heater.Duty.DecimalFractions);
        Assert.Contains(raised, e => e.Code == "estop.active" && e.Severity == RigEventSeverity.Alarm);
    }

    [Fact]
    public async Task While_stopped_the_heater_controller_holds_the_heater_off_even_below_its_setpoint()
    {
        var rig = new TestRig();
        using var zone = rig.ZoneController("zone-a");
        await zone.TickAsync(CancellationToken.None);
        Assert.True(rig.Hardware.Zones["zone-a"].Heater.Duty.DecimalFractions > 0, "22 °C is below the 40 °C setpoint: the controller heats");

        rig.Hardware.Simulation.EmergencyStop!.Set(true);
        await rig.EmergencyStopMonitor().TickAsync();
        rig.Time.Advance(TimeSpan.FromSeconds(1));
        await zone.TickAsync(CancellationToken.None);

        Assert.Equal(0, rig.Hardware.Zones["zone-a"].Heater.Duty.DecimalFractions);
    }

    [Fact]
    public async Task While_stopped_the_channel_is_held_by_the_e_stop_interlock_and_its_output_stays_off_though_it_is_still_watched()
    {
        var rig = new TestRig();
        var observer = new RecordingObserver();
        var loop = rig.Loop("ch1", observer);
        rig.Hardware.Simulation.EmergencyStop!.Set(true);
        await rig.EmergencyStopMonitor().TickAsync();

        // something turns the output on behind the loop's back (a driver retry, a stray command)
        await rig.Hardware.Simulation.Instruments["ch1"].SourceCurrentAsync(ElectricCurrent.FromMilliamperes(-0.5), ElectricPotential.FromVolts(2), CancellationToken.None);
        await loop.TickAsync(CancellationToken.None);
        await loop.TickAsync(CancellationToken.None);

        Assert.False(rig.Hardware.Simulation.Instruments["ch1"].OutputOn);
        Assert.All(observer.Samples, s => Assert.False(s.OutputOn)); // observers never see an output the loop let stay on
        Assert.Equal(InterlockKind.EmergencyStop, Assert.Single(rig.State.Interlocks.Active("ch1")).Kind);
        Assert.NotNull(rig.State.Channel("ch1").Latest); // still watched
    }

    [Fact]
    public async Task Releasing_the_e_stop_turns_nothing_on_and_the_interlock_stays_until_an_operator_clears_it()
    {
        var rig = new TestRig();
        var observer = new RecordingObserver();
        var loop = rig.Loop("ch1", observer);
        var monitor = rig.EmergencyStopMonitor();
        rig.Hardware.Simulation.EmergencyStop!.Set(true);
        await monitor.TickAsync();
        await loop.TickAsync(CancellationToken.None);

        rig.Hardware.Simulation.EmergencyStop.Set(false);
        await monitor.TickAsync();
        await loop.TickAsync(CancellationToken.None);

        Assert.False(rig.State.EmergencyStopActive);
        Assert.Equal(2, observer.Samples.Count);
        Assert.False(rig.Hardware.Simulation.Instruments["ch1"].OutputOn);
        Assert.Contains(rig.State.Interlocks.Active("ch1"), i => i.Kind == InterlockKind.EmergencyStop && i.Latched);
    }

    private sealed class RecordingObserver : IChannelObserver
    {
        public List<ChannelSample> Samples { get; } = [];
        public List<HardwareFault> Faults { get; } = [];

        public ValueTask OnSampleAsync(ChannelSample sample, CancellationToken cancellationToken)
        {
            Samples.Add(sample);
            return ValueTask.CompletedTask;
        }

        public ValueTask OnFaultAsync(string channelId, HardwareFault fault, CancellationToken cancellationToken)
        {
            Faults.Add(fault);
            return ValueTask.CompletedTask;
        }
    }
}
