using Microsoft.Extensions.Time.Testing;
using Rig.Drivers.Cells;
using Rig.Drivers.Potentiostats.Scpi;
using Rig.Drivers.Potentiostats.Scpi.Dialects;
using Rig.Drivers.Potentiostats.Scpi.Simulation;
using Rig.Drivers.Potentiostats.Scpi.Transports;
using UnitsNet;

namespace Rig.Drivers.Tests.Potentiostats;

/// <summary>The B2902A dialect against the simulated B2902A over loopback TCP: two channels, two cells, one socket each.</summary>
public sealed class KeysightB2902ALoopbackTests
{
    [Fact]
    public async Task Channel_2_charges_its_full_cell_at_constant_voltage_while_channel_1_stays_off()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
        SimulatedSmuChannel Smu() => new(new SimulatedCell(new AnodeFreeFullCell(0.785, new FullCellParameters()), clock, () => Temperature.FromDegreesCelsius(40)));
        var instrument = new KeysightB2900Simulator([Smu(), Smu()], clock);
        await using var server = new ScpiSimulatorServer(instrument, TimeProvider.System);
        server.Start();
        var session = new ScpiSession(ScpiAddress.Parse(server.Address).CreateTransport(TimeSpan.FromSeconds(2)), "b2902a ch2", TimeProvider.System, SimulatedInstrumentOnLoopback.ShortTimeouts);
        await using var channel2 = new ScpiPotentiostatChannel(KeysightB2900Dialect.B2902A(2), session, TimeProvider.System);

        // CV hold at 3.5 V with a 1 mA/cm² current limit (paper: CC charge to 3.5 V, then CV hold).
        await channel2.SourceVoltageAsync(ElectricPotential.FromVolts(3.5), ElectricCurrent.FromMilliamperes(0.785), CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(10));
        var reading = await channel2.MeasureAsync(CancellationToken.None);
        await channel2.OutputOffAsync(CancellationToken.None);

        Assert.True(reading.OutputOn);
        Assert.True(reading.Current.Milliamperes > 0, $"charging current {reading.Current}");
        Assert.True(reading.Current.Milliamperes <= 0.79);
        Assert.False(instrument.ChannelAt(1).OutputOn);
        Assert.False(instrument.ChannelAt(2).OutputOn);
        Assert.Equal("HIZ", instrument.ChannelAt(2).OffMode);
        Assert.Equal("NORM", instrument.ChannelAt(1).OffMode); // nothing was sent to channel 1
    }
}
