using Rig.Drivers.Faults;
using Rig.Drivers.Potentiostats.Scpi;
using Rig.Drivers.Potentiostats.Scpi.Dialects;
using UnitsNet;

namespace Rig.Drivers.Tests.Potentiostats;

/// <summary>
/// The exact strings the Keysight B2900 dialect sends, checked against the Keysight B2900 SCPI Command Reference,
/// chapter 4 (OUTPut, SENSe, SOURce, MEASure and FORMat subsystems): channel 2 is the suffix 2 and the list (@2).
/// </summary>
public sealed class KeysightB2900ProtocolTests
{
    private const string Idn = "Keysight Technologies,B2902A,MY51140001,3.4.2011.5100";

    // :OUTPut[c]:OFF:MODE HIZ, :SENSe[c]:REMote ON, :SENSe[c]:FUNCtion[:ON] "VOLT","CURR",
    // :FORMat:ELEMents:SENSe VOLT,CURR,TIME; Keysight's empty queue answers +0,"No error".
    private static readonly (string, string?)[] ConnectChannel2 =
    [
        ("*IDN?", Idn),
        ("*CLS", null),
        (":OUTP2:OFF:MODE HIZ", null),
        (":OUTP2:ON:AUTO OFF", null),
        (":SENS2:REM ON", null),
        (":SENS2:FUNC \"VOLT\",\"CURR\"", null),
        (":FORM:ELEM:SENS VOLT,CURR,TIME", null),
        (":SYST:ERR?", "+0,\"No error\""),
        (":SOUR2:FUNC:MODE?", "VOLT"),
    ];

    [Fact]
    public async Task Channel_2_sources_current_with_its_voltage_protection_set_first()
    {
        // :SOURce[c]:FUNCtion:MODE CURR, :SENSe[c]:VOLTage:PROTection (compliance), :SOURce[c]:CURRent, :OUTPut[c] ON.
        await using var channel = Channel(out var transport,
        [
            .. ConnectChannel2,
            (":SOUR2:FUNC:MODE CURR", null),
            (":SENS2:VOLT:PROT 2", null),
            (":SOUR2:CURR 0.000785", null),
            (":OUTP2 ON", null),
            (":SYST:ERR?", "+0,\"No error\""),
        ]);

        await channel.SourceCurrentAsync(ElectricCurrent.FromMilliamperes(0.785), ElectricPotential.FromVolts(2), CancellationToken.None);

        transport.AssertAllExchanged();
    }

    [Fact]
    public async Task Channel_2_sources_voltage_with_its_current_protection_set_first()
    {
        await using var channel = Channel(out var transport,
        [
            .. ConnectChannel2,
            (":SOUR2:FUNC:MODE VOLT", null),
            (":SENS2:CURR:PROT 0.00157", null),
            (":SOUR2:VOLT 3.5", null),
            (":OUTP2 ON", null),
            (":SYST:ERR?", "+0,\"No error\""),
        ]);

        await channel.SourceVoltageAsync(ElectricPotential.FromVolts(3.5), ElectricCurrent.FromMilliamperes(1.57), CancellationToken.None);

        transport.AssertAllExchanged();
    }

    [Fact]
    public async Task Channel_2_measures_with_a_spot_measurement_on_its_channel_list_and_reads_the_compliance_flag()
    {
        // :MEASure? (@2) returns the :FORM:ELEM:SENS elements; :SENSe[c]:CURRent:PROTection:TRIPped? while sourcing voltage.
        await using var channel = Channel(out var transport,
        [
            .. ConnectChannel2,
            (":OUTP2?", "1"),
            (":MEAS? (@2)", "+3.500000E+00,+1.570000E-03,+4.200000E+01"),
            (":SENS2:CURR:PROT:TRIP?", "1"),
        ]);

        var reading = await channel.MeasureAsync(CancellationToken.None);

        Assert.Equal(3.5, reading.Voltage.Volts, 9);
        Assert.Equal(0.00157, reading.Current.Amperes, 9);
        Assert.True(reading.InCompliance);
        transport.AssertAllExchanged();
    }

    [Fact]
    public async Task Output_off_on_channel_2_leaves_channel_1_alone()
    {
        await using var channel = Channel(out var transport,
        [
            .. ConnectChannel2,
            (":OUTP2 OFF", null),
            (":SYST:ERR?", "+0,\"No error\""),
        ]);

        await channel.OutputOffAsync(CancellationToken.None);

        transport.AssertAllExchanged();
    }

    [Fact]
    public async Task A_B2901A_on_an_address_configured_as_a_B2902A_is_refused()
    {
        await using var channel = Channel(out _, [("*IDN?", "Keysight Technologies,B2901A,MY51140002,3.4.2011.5100")]);

        var fault = await Assert.ThrowsAsync<HardwareFaultException>(() => channel.OutputOffAsync(CancellationToken.None).AsTask());

        Assert.Equal(FaultKind.InstrumentMismatch, fault.Kind);
    }

    [Fact]
    public async Task Both_channels_share_one_session_so_the_second_never_clears_the_queue_and_each_reads_its_own_errors_in_turn()
    {
        // One instrument, one error queue: *CLS only when the link opens; each channel's configure is followed by its
        // own :SYST:ERR? under the instrument's gate, so an error is read by the channel whose command caused it.
        var transport = new ExpectedProtocolTransport(
        [
            ("*IDN?", Idn),
            ("*CLS", null),
            (":OUTP1:OFF:MODE HIZ", null),
            (":OUTP1:ON:AUTO OFF", null),
            (":SENS1:REM ON", null),
            (":SENS1:FUNC \"VOLT\",\"CURR\"", null),
            (":FORM:ELEM:SENS VOLT,CURR,TIME", null),
            (":SYST:ERR?", "+0,\"No error\""),
            (":SOUR1:FUNC:MODE?", "VOLT"),
            (":SOUR1:FUNC:MODE CURR", null),
            (":SENS1:VOLT:PROT 2", null),
            (":SOUR1:CURR 0.000785", null),
            (":OUTP1 ON", null),
            (":SYST:ERR?", "+0,\"No error\""),
            ("*IDN?", Idn),
            (":OUTP2:OFF:MODE HIZ", null),
            (":OUTP2:ON:AUTO OFF", null),
            (":SENS2:REM ON", null),
            (":SENS2:FUNC \"VOLT\",\"CURR\"", null),
            (":FORM:ELEM:SENS VOLT,CURR,TIME", null),
            (":SYST:ERR?", "+0,\"No error\""),
            (":SOUR2:FUNC:MODE?", "VOLT"),
            (":SOUR2:FUNC:MODE CURR", null),
            (":SENS2:VOLT:PROT 2", null),
            (":SOUR2:CURR 2", null),
            (":OUTP2 ON", null),
            (":SYST:ERR?", "-222,\"Data out of range\""),
            (":SYST:ERR?", "+0,\"No error\""),
        ]);
        var session = new ScpiSession(transport, "b2902a fake", TimeProvider.System);
        await using var channel1 = new ScpiPotentiostatChannel(KeysightB2900Dialect.B2902A(1), session, TimeProvider.System, "b2902a ch1");
        await using var channel2 = new ScpiPotentiostatChannel(KeysightB2900Dialect.B2902A(2), session, TimeProvider.System, "b2902a ch2");

        await channel1.SourceCurrentAsync(ElectricCurrent.FromMilliamperes(0.785), ElectricPotential.FromVolts(2), CancellationToken.None);
        var fault = await Assert.ThrowsAsync<HardwareFaultException>(() =>
            channel2.SourceCurrentAsync(ElectricCurrent.FromAmperes(2), ElectricPotential.FromVolts(2), CancellationToken.None).AsTask());

        Assert.Equal(FaultKind.InstrumentError, fault.Kind);
        Assert.Contains("-222", fault.Message, StringComparison.Ordinal);
        Assert.Equal("b2902a ch2", channel2.Device);
        transport.AssertAllExchanged();
    }

    private static ScpiPotentiostatChannel Channel(out ExpectedProtocolTransport transport, (string, string?)[] exchange)
    {
        transport = new ExpectedProtocolTransport(exchange);
        var session = new ScpiSession(transport, "b2902a fake", TimeProvider.System);
        return new ScpiPotentiostatChannel(KeysightB2900Dialect.B2902A(2), session, TimeProvider.System);
    }
}
