using Rig.Drivers.Faults;
using Rig.Service.Channels;
using Rig.Service.Tests.Support;
using UnitsNet;

namespace Rig.Service.Tests.Channels;

public class ChannelLoopTests
{
    [Fact]
    public async Task A_tick_records_voltage_current_stack_pressure_and_zone_temperature()
    {
        var rig = new TestRig();
        using var zone = rig.ZoneController("zone-a");
        await zone.TickAsync(CancellationToken.None);

        await rig.Loop("ch1").TickAsync(CancellationToken.None);

        var sample = rig.State.Channel("ch1").Latest!.Value;
        Assert.InRange(sample.StackPressure!.Value.Megapascals, 9.9, 10.1);
        Assert.InRange(sample.Temperature!.Value.DegreesCelsius, 21.5, 22.5);
        Assert.False(sample.OutputOn);
        Assert.Equal(rig.Time.GetUtcNow(), sample.Timestamp);
    }

    [Fact]
    public async Task A_lost_instrument_link_is_recorded_raised_and_does_not_escape_the_loop()
    {
        var rig = new TestRig();
        var raised = new List<RigEvent>();
        rig.Events.Raised += raised.Add;
        var instrument = rig.Hardware.Simulation.Instruments["ch1"];
        await instrument.SourceCurrentAsync(ElectricCurrent.FromMilliamperes(-0.785), ElectricPotential.FromVolts(2), CancellationToken.None);
        instrument.DisconnectLink();
        var loop = rig.Loop("ch1");

        await loop.TickAsync(CancellationToken.None);
        await loop.TickAsync(CancellationToken.None);

        var fault = Assert.Single(rig.State.Channel("ch1").Faults);
        Assert.Equal(FaultKind.InstrumentLinkLost, fault.Kind);
        Assert.Equal("ch1", fault.Channel);
        Assert.Single(raised, e => e.Code == "fault.instrument_link_lost"); // raised once, not every tick
    }

    [Fact]
    public async Task When_the_link_comes_back_the_output_is_turned_off_and_the_fault_cleared()
    {
        var rig = new TestRig();
        var instrument = rig.Hardware.Simulation.Instruments["ch1"];
        await instrument.SourceCurrentAsync(ElectricCurrent.FromMilliamperes(-0.785), ElectricPotential.FromVolts(2), CancellationToken.None);
        instrument.DisconnectLink();
        var loop = rig.Loop("ch1");
        await loop.TickAsync(CancellationToken.None);
        Assert.True(instrument.OutputOn, "while the link is down nothing can reach the instrument");

        instrument.ReconnectLink();
        rig.Time.Advance(TimeSpan.FromSeconds(1));
        await loop.TickAsync(CancellationToken.None);

        Assert.False(instrument.OutputOn);
        Assert.Empty(rig.State.Channel("ch1").Faults);
    }

    [Fact]
    public async Task A_lost_load_cell_turns_the_output_off_and_keeps_sampling_voltage()
    {
        var rig = new TestRig();
        var instrument = rig.Hardware.Simulation.Instruments["ch1"];
        await instrument.SourceCurrentAsync(ElectricCurrent.FromMilliamperes(-0.785), ElectricPotential.FromVolts(2), CancellationToken.None);
        rig.Hardware.Simulation.Clamps["ch1"].Disconnected = true;

        await rig.Loop("ch1").TickAsync(CancellationToken.None);

        Assert.False(instrument.OutputOn);
        var snapshot = rig.State.Channel("ch1");
        Assert.Null(snapshot.Latest!.Value.StackPressure);
        Assert.Equal(FaultKind.DeviceNotResponding, Assert.Single(snapshot.Faults).Kind);
    }

    [Fact]
    public async Task A_hung_instrument_becomes_a_timeout_fault_on_the_rig_clock()
    {
        var rig = new TestRig();
        var hung = new HungInstrument();
        var hardware = rig.Hardware.Channels["ch1"] with { Instrument = hung };
        var loop = new ChannelLoop(hardware, rig.State, rig.Events, [], rig.Time, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3),
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        var tick = loop.TickAsync(CancellationToken.None);
        while (!tick.IsCompleted)
        {
            rig.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(1);
        }
        await tick;

        Assert.Equal(FaultKind.DeviceTimeout, Assert.Single(rig.State.Channel("ch1").Faults).Kind);
    }

    [Fact]
    public async Task The_safe_state_turns_every_output_and_heater_off()
    {
        var rig = new TestRig();
        foreach (var instrument in rig.Hardware.Simulation.Instruments.Values)
        {
            await instrument.SourceCurrentAsync(ElectricCurrent.FromMilliamperes(0.5), ElectricPotential.FromVolts(4), CancellationToken.None);
        }
        rig.Hardware.Zones["zone-a"].Heater.SetDuty(Ratio.FromDecimalFractions(1));

        var allSafe = await rig.Safety.MakeSafeAsync("test");

        Assert.True(allSafe);
        Assert.All(rig.Hardware.Simulation.Instruments.Values, i => Assert.False(i.OutputOn));
        Assert.Equal(0, rig.Hardware.Zones["zone-a"].Heater.Duty.DecimalFractions);
    }
}
