using Rig.Drivers.Faults;
using Rig.Drivers.Potentiostats;
using Rig.Drivers.Potentiostats.Scpi;
using Rig.Drivers.Potentiostats.Scpi.Dialects;
using UnitsNet;

namespace Rig.Drivers.Tests.Potentiostats;

/// <summary>
/// The exact strings the Keithley 2450 dialect sends, checked against the Model 2450 Reference Manual
/// (2450-901-01 Rev. B): section 6 "SCPI command reference" and Appendix B "Common commands".
/// </summary>
public sealed class Keithley2450ProtocolTests
{
    private const string Idn = "KEITHLEY INSTRUMENTS,MODEL 2450,04096218,1.6.4c";

    // Every connect: *IDN? (App. B), *LANG? (App. B; SCPI vs SCPI2400/TSP), *CLS, then the off state
    // (:OUTPut[1]:<function>:SMODe HIMPedance), read-back (:SOURce[1]:<function>:READ:BACK, p. 6-77) and
    // 4-wire sense ([:SENSe[1]]:<function>:RSENse), each sequence followed by :SYSTem:ERRor[:NEXT]? until 0.
    internal static readonly (string, string?)[] Connect =
    [
        ("*IDN?", Idn),
        ("*LANG?", "SCPI"),
        ("*CLS", null),
        (":OUTP:CURR:SMOD HIMP", null),
        (":OUTP:VOLT:SMOD HIMP", null),
        (":SOUR:CURR:READ:BACK ON", null),
        (":SOUR:VOLT:READ:BACK ON", null),
        (":SENS:VOLT:RSEN ON", null),
        (":SENS:CURR:RSEN ON", null),
        (":SENS:VOLT:RANG:AUTO ON", null),
        (":SENS:CURR:RANG:AUTO ON", null),
        (":SOUR:VOLT:RANG:AUTO ON", null),
        (":SOUR:CURR:RANG:AUTO ON", null),
        (":SYST:ERR?", "0,\"No error\""),
        (":SOUR:FUNC?", "VOLT"),
    ];

    [Fact]
    public async Task Sourcing_current_sets_the_voltage_limit_before_the_level_then_senses_voltage_and_turns_the_output_on()
    {
        // :SOURce[1]:FUNCtion, :SOURce[1]:CURRent:VLIMit, :SOURce[1]:CURRent[:LEVel][:IMMediate][:AMPLitude],
        // [:SENSe[1]]:FUNCtion[:ON] "VOLTage", :OUTPut[1][:STATe] ON.
        await using var channel = Channel(out var transport,
        [
            .. Connect,
            (":SENS:FUNC \"VOLT\"", null),
            (":SOUR:FUNC CURR", null),
            (":SOUR:CURR:VLIM 2.5", null),
            (":SOUR:CURR -0.000785", null),
            (":OUTP ON", null),
            (":SYST:ERR?", "0,\"No error\""),
        ]);

        await channel.SourceCurrentAsync(ElectricCurrent.FromMilliamperes(-0.785), ElectricPotential.FromVolts(2.5), CancellationToken.None);

        transport.AssertAllExchanged();
    }

    [Fact]
    public async Task Sourcing_voltage_sets_the_current_limit_before_the_level_then_senses_current()
    {
        await using var channel = Channel(out var transport,
        [
            .. Connect,
            (":SENS:FUNC \"CURR\"", null),
            (":SOUR:FUNC VOLT", null),
            (":SOUR:VOLT:ILIM 0.00157", null),
            (":SOUR:VOLT 3.5", null),
            (":OUTP ON", null),
            (":SYST:ERR?", "0,\"No error\""),
        ]);

        await channel.SourceVoltageAsync(ElectricPotential.FromVolts(3.5), ElectricCurrent.FromMilliamperes(1.57), CancellationToken.None);

        transport.AssertAllExchanged();
    }

    [Fact]
    public async Task A_voltage_sweep_sends_the_whole_source_sequence_once_then_only_the_level()
    {
        // Manual's rule for the measure function (it can change source settings and clears the buffer): set it once,
        // first; a sweep's later samples change :SOURce[1]:VOLTage[:LEVel] only, each still followed by the error check.
        await using var channel = Channel(out var transport,
        [
            .. Connect,
            (":SENS:FUNC \"CURR\"", null),
            (":SOUR:FUNC VOLT", null),
            (":SOUR:VOLT:ILIM 0.00157", null),
            (":SOUR:VOLT 2.1", null),
            (":OUTP ON", null),
            (":SYST:ERR?", "0,\"No error\""),
            (":SOUR:VOLT 2.0999", null),
            (":SYST:ERR?", "0,\"No error\""),
            (":SOUR:VOLT 2.0998", null),
            (":SYST:ERR?", "0,\"No error\""),
        ]);
        var limit = ElectricCurrent.FromMilliamperes(1.57);

        await channel.SourceVoltageAsync(ElectricPotential.FromVolts(2.1), limit, CancellationToken.None);
        await channel.SourceVoltageAsync(ElectricPotential.FromVolts(2.0999), limit, CancellationToken.None);
        await channel.SourceVoltageAsync(ElectricPotential.FromVolts(2.0998), limit, CancellationToken.None);

        transport.AssertAllExchanged();
    }

    [Fact]
    public async Task After_the_output_was_found_off_or_the_limit_changes_the_whole_sequence_is_sent_again()
    {
        await using var channel = Channel(out var transport,
        [
            .. Connect,
            (":SENS:FUNC \"CURR\"", null),
            (":SOUR:FUNC VOLT", null),
            (":SOUR:VOLT:ILIM 0.00157", null),
            (":SOUR:VOLT 2.1", null),
            (":OUTP ON", null),
            (":SYST:ERR?", "0,\"No error\""),
            (":OUTP?", "0"), // turned off at the front panel
            (":SENS:FUNC \"CURR\"", null),
            (":SOUR:FUNC VOLT", null),
            (":SOUR:VOLT:ILIM 0.00157", null),
            (":SOUR:VOLT 2.0999", null),
            (":OUTP ON", null),
            (":SYST:ERR?", "0,\"No error\""),
            (":SENS:FUNC \"CURR\"", null),
            (":SOUR:FUNC VOLT", null),
            (":SOUR:VOLT:ILIM 0.002", null),
            (":SOUR:VOLT 2.0998", null),
            (":OUTP ON", null),
            (":SYST:ERR?", "0,\"No error\""),
        ]);
        var limit = ElectricCurrent.FromMilliamperes(1.57);

        await channel.SourceVoltageAsync(ElectricPotential.FromVolts(2.1), limit, CancellationToken.None);
        Assert.False((await channel.MeasureAsync(CancellationToken.None)).OutputOn);
        await channel.SourceVoltageAsync(ElectricPotential.FromVolts(2.0999), limit, CancellationToken.None);
        await channel.SourceVoltageAsync(ElectricPotential.FromVolts(2.0998), ElectricCurrent.FromMilliamperes(2), CancellationToken.None);

        transport.AssertAllExchanged();
    }

    [Fact]
    public async Task Measuring_while_sourcing_current_reads_voltage_and_read_back_current_with_relative_time_and_the_limit_flag()
    {
        // :READ? "defbuffer1", READ, SOUR, REL (p. 6-6): READing = sensed voltage, SOURce = read-back current.
        await using var channel = Channel(out var transport,
        [
            ("*IDN?", Idn), ("*LANG?", "SCPI"), ("*CLS", null),
            .. Connect[3..13],
            (":SYST:ERR?", "0,\"No error\""),
            (":SOUR:FUNC?", "CURR"),
            (":OUTP?", "1"),
            (":READ? \"defbuffer1\", READ, SOUR, REL", "-4.466911E-02,-7.849000E-04,1.250000E+01"),
            (":SOUR:CURR:VLIM:TRIP?", "0"),
        ]);

        var reading = await channel.MeasureAsync(CancellationToken.None);

        Assert.Equal(-0.04466911, reading.Voltage.Volts, 9);
        Assert.Equal(-0.0007849, reading.Current.Amperes, 9);
        Assert.True(reading.OutputOn);
        Assert.False(reading.InCompliance);
        transport.AssertAllExchanged();
    }

    [Fact]
    public async Task Measuring_with_the_output_off_triggers_no_reading_through_the_open_relay()
    {
        // p. 2-83: with the high-impedance output-off state the relay is open and no measurement can be taken.
        await using var channel = Channel(out var transport, [.. Connect, (":OUTP?", "0")]);

        var reading = await channel.MeasureAsync(CancellationToken.None);

        Assert.False(reading.OutputOn);
        Assert.Equal(0, reading.Current.Amperes);
        transport.AssertAllExchanged();
    }

    [Fact]
    public async Task Output_off_is_one_command_and_an_error_check()
    {
        await using var channel = Channel(out var transport,
        [
            .. Connect,
            (":OUTP OFF", null),
            (":SYST:ERR?", "0,\"No error\""),
        ]);

        await channel.OutputOffAsync(CancellationToken.None);

        transport.AssertAllExchanged();
    }

    [Fact]
    public async Task An_instrument_in_the_2400_emulation_command_set_is_refused_before_anything_is_configured()
    {
        await using var channel = Channel(out var transport, [("*IDN?", Idn), ("*LANG?", "SCPI2400")]);

        var fault = await Assert.ThrowsAsync<HardwareFaultException>(() => channel.OutputOffAsync(CancellationToken.None).AsTask());

        Assert.Equal(FaultKind.InstrumentMismatch, fault.Kind);
        Assert.Contains("SCPI2400", fault.Fault.Message);
        transport.AssertAllExchanged();
    }

    [Fact]
    public async Task A_2460_on_an_address_configured_as_a_2450_is_refused()
    {
        await using var channel = Channel(out var transport, [("*IDN?", "KEITHLEY INSTRUMENTS,MODEL 2460,04400001,1.7.0")]);

        var fault = await Assert.ThrowsAsync<HardwareFaultException>(() => channel.MeasureAsync(CancellationToken.None).AsTask());

        Assert.Equal(FaultKind.InstrumentMismatch, fault.Kind);
        Assert.Contains("MODEL 2460", fault.Fault.Message);
    }

    [Fact]
    public async Task A_current_beyond_the_2450s_range_is_refused_without_sending_anything()
    {
        await using var channel = Channel(out var transport, []);

        var fault = await Assert.ThrowsAsync<HardwareFaultException>(() =>
            channel.SourceCurrentAsync(ElectricCurrent.FromAmperes(1.5), ElectricPotential.FromVolts(2), CancellationToken.None).AsTask());

        Assert.Equal(FaultKind.NotSupported, fault.Kind);
        Assert.Empty(transport.Sent);
    }

    [Fact]
    public async Task A_source_command_without_a_positive_compliance_limit_is_refused()
    {
        await using var channel = Channel(out var transport, []);

        var fault = await Assert.ThrowsAsync<HardwareFaultException>(() =>
            channel.SourceVoltageAsync(ElectricPotential.FromVolts(3.5), ElectricCurrent.Zero, CancellationToken.None).AsTask());

        Assert.Equal(FaultKind.NotSupported, fault.Kind);
        Assert.Empty(transport.Sent);
    }

    [Fact]
    public async Task An_error_left_in_the_queue_by_a_source_sequence_becomes_a_fault_with_the_instruments_text()
    {
        await using var channel = Channel(out var transport,
        [
            .. Connect,
            (":SENS:FUNC \"VOLT\"", null),
            (":SOUR:FUNC CURR", null),
            (":SOUR:CURR:VLIM 2", null),
            (":SOUR:CURR 0.001", null),
            (":OUTP ON", null),
            (":SYST:ERR?", "5074,\"Output interlock asserted\""),
            (":SYST:ERR?", "0,\"No error\""),
        ]);

        var fault = await Assert.ThrowsAsync<HardwareFaultException>(() =>
            channel.SourceCurrentAsync(ElectricCurrent.FromMilliamperes(1), ElectricPotential.FromVolts(2), CancellationToken.None).AsTask());

        Assert.Equal(FaultKind.InstrumentError, fault.Kind);
        Assert.Contains("5074,\"Output interlock asserted\"", fault.Fault.Message);
        transport.AssertAllExchanged();
    }

    [Fact]
    public void A_2460_sources_the_7_A_a_2450_refuses_with_the_same_command_strings()
    {
        var commands = Keithley2400SeriesDialect.Keithley2460().SourceCurrent(ElectricCurrent.FromAmperes(7), ElectricPotential.FromVolts(5));

        Assert.Equal([":SENS:FUNC \"VOLT\"", ":SOUR:FUNC CURR", ":SOUR:CURR:VLIM 5", ":SOUR:CURR 7", ":OUTP ON"], commands);
        Assert.Throws<ArgumentOutOfRangeException>(() => Keithley2400SeriesDialect.Keithley2450().SourceCurrent(ElectricCurrent.FromAmperes(7), ElectricPotential.FromVolts(5)));
        Assert.Null(Keithley2400SeriesDialect.Keithley2460().RejectIdentity(InstrumentIdentity.Parse("KEITHLEY INSTRUMENTS,MODEL 2460,04400001,1.7.0")));
    }

    [Fact]
    public async Task A_refused_range_names_the_parameter_and_the_instruments_limit()
    {
        await using var channel = Channel(out _, []);

        var fault = await Assert.ThrowsAsync<HardwareFaultException>(() =>
            channel.SourceVoltageAsync(ElectricPotential.FromVolts(250), ElectricCurrent.FromMilliamperes(1), CancellationToken.None).AsTask());

        Assert.Equal("Keithley 2450: voltage 250 is beyond the instrument's ±210 V", fault.Fault.Message);
    }

    private static ScpiPotentiostatChannel Channel(out ExpectedProtocolTransport transport, (string, string?)[] exchange)
    {
        transport = new ExpectedProtocolTransport(exchange);
        var session = new ScpiSession(transport, "keithley2450 fake", TimeProvider.System);
        return new ScpiPotentiostatChannel(Keithley2400SeriesDialect.Keithley2450(), session, TimeProvider.System);
    }
}
