using Rig.Drivers.Faults;
using Rig.Drivers.Potentiostats;
using Rig.Drivers.Potentiostats.Scpi.Dialects;
using UnitsNet;

namespace Rig.Drivers.Tests.Potentiostats;

/// <summary>The real driver against the simulated Keithley 2450 over a real TCP socket on 127.0.0.1.</summary>
public sealed class ScpiSimulatorLoopbackTests
{
    private static readonly ElectricCurrent OneMilliampPerSquareCentimetre = ElectricCurrent.FromMilliamperes(0.785);
    private static readonly ElectricPotential StripCutOff = ElectricPotential.FromVolts(2);
    private static readonly ElectricPotential VoltageLimit = ElectricPotential.FromVolts(2.5);

    [Fact]
    public async Task A_plate_then_strip_cycle_through_the_driver_strips_back_most_of_what_was_plated_and_ends_at_the_cut_off()
    {
        await using var rig = SimulatedInstrumentOnLoopback.Start();
        var driver = rig.Driver;
        var step = TimeSpan.FromMinutes(1);

        // Plate 1 mAh/cm² at 1 mA/cm² (paper, Methods: half-cell plating/stripping): plating is negative current on HI.
        await driver.SourceCurrentAsync(-OneMilliampPerSquareCentimetre, VoltageLimit, CancellationToken.None);
        var (plated, _) = await PassChargeAsync(rig, step, until: (reading, elapsed) => elapsed >= TimeSpan.FromHours(1));
        Assert.InRange(plated.MilliampereHours, -0.80, -0.77);

        // Strip at +1 mA/cm² until the 2 V cut-off.
        await driver.SourceCurrentAsync(OneMilliampPerSquareCentimetre, VoltageLimit, CancellationToken.None);
        var (stripped, endOfStrip) = await PassChargeAsync(rig, step, until: (reading, elapsed) => reading.Voltage >= StripCutOff || elapsed > TimeSpan.FromHours(2));
        await driver.OutputOffAsync(CancellationToken.None);

        var last = await driver.MeasureAsync(CancellationToken.None);
        var coulombicEfficiency = stripped.MilliampereHours / -plated.MilliampereHours;
        Assert.InRange(coulombicEfficiency, 0.5, 1.0); // the first cycle loses sodium to the interphase
        Assert.True(endOfStrip.Voltage >= StripCutOff, $"strip ended at {endOfStrip.Voltage}, not at the cut-off");
        Assert.True(endOfStrip.InCompliance || endOfStrip.Voltage < VoltageLimit);
        Assert.False(last.OutputOn);
        Assert.Equal(0, last.Current.Amperes);
        Assert.False(rig.Smu.OutputOn);
        Assert.Equal("HIMP", rig.Smu.OffMode);
        Assert.True(rig.Smu.FourWire);
    }

    [Fact]
    public async Task A_connection_dropped_mid_step_faults_the_call_and_the_output_is_off_once_the_link_is_back()
    {
        await using var rig = SimulatedInstrumentOnLoopback.Start();
        await rig.Driver.SourceCurrentAsync(-OneMilliampPerSquareCentimetre, VoltageLimit, CancellationToken.None);

        rig.Server.AcceptingConnections = false;
        rig.Server.DropConnections();
        var whileDown = await Assert.ThrowsAsync<HardwareFaultException>(() => rig.Driver.MeasureAsync(CancellationToken.None).AsTask());
        var offWhileDown = await Assert.ThrowsAsync<HardwareFaultException>(() => rig.Driver.OutputOffAsync(CancellationToken.None).AsTask());
        Assert.Equal(FaultKind.InstrumentLinkLost, whileDown.Kind);
        Assert.Contains(offWhileDown.Kind, new[] { FaultKind.InstrumentLinkLost, FaultKind.DeviceNotResponding });
        Assert.True(rig.Smu.OutputOn); // the instrument keeps sourcing while nobody can reach it: why recovery turns it off

        rig.Server.AcceptingConnections = true;
        await rig.Driver.OutputOffAsync(CancellationToken.None);

        Assert.False(rig.Smu.OutputOn);
        var reading = await rig.Driver.MeasureAsync(CancellationToken.None);
        Assert.False(reading.OutputOn);
        // The reconnected driver proved again who it talks to and restored the high-impedance off state.
        Assert.Equal(2, rig.Instrument.Received.Count(m => m == "*IDN?"));
        Assert.Equal(2, rig.Instrument.Received.Count(m => m == ":OUTP:CURR:SMOD HIMP"));
    }

    [Fact]
    public async Task An_error_in_the_instruments_queue_surfaces_as_an_instrument_error_fault_with_its_text()
    {
        await using var rig = SimulatedInstrumentOnLoopback.Start();
        await rig.Driver.OutputOffAsync(CancellationToken.None);
        rig.Instrument.PushError(5074, "Output interlock asserted");

        var fault = await Assert.ThrowsAsync<HardwareFaultException>(() =>
            rig.Driver.SourceCurrentAsync(OneMilliampPerSquareCentimetre, VoltageLimit, CancellationToken.None).AsTask());

        Assert.Equal(FaultKind.InstrumentError, fault.Kind);
        Assert.Contains("5074,\"Output interlock asserted\"", fault.Fault.Message);
    }

    [Fact]
    public async Task An_unknown_command_is_answered_like_the_instrument_with_undefined_header_in_the_queue()
    {
        await using var rig = SimulatedInstrumentOnLoopback.Start();
        await rig.Driver.OutputOffAsync(CancellationToken.None);
        var transport = Rig.Drivers.Potentiostats.Scpi.Transports.ScpiAddress.Parse(rig.Server.Address).CreateTransport(TimeSpan.FromSeconds(1));
        await using var session = new Rig.Drivers.Potentiostats.Scpi.ScpiSession(transport, "raw", TimeProvider.System, SimulatedInstrumentOnLoopback.ShortTimeouts);
        await session.ConnectAsync(CancellationToken.None);

        var fault = await Assert.ThrowsAsync<HardwareFaultException>(() =>
            session.ConfigureAsync("typo", [":SOUR:CURR:VLIMIT 2", ":SOURCE:BOGUS 1"], CancellationToken.None).AsTask());

        Assert.Equal(FaultKind.InstrumentError, fault.Kind);
        Assert.Contains("-113,\"Undefined header\"", fault.Fault.Message);
        Assert.Equal(2, rig.Smu.VoltageLimitVolts); // the long form was understood, the bogus header was not
    }

    [Fact]
    public async Task An_instrument_whose_idn_is_not_the_configured_model_is_refused_on_every_call()
    {
        await using var rig = SimulatedInstrumentOnLoopback.Start(KeysightB2900Dialect.B2901A());

        var first = await Assert.ThrowsAsync<HardwareFaultException>(() =>
            rig.Driver.SourceCurrentAsync(OneMilliampPerSquareCentimetre, VoltageLimit, CancellationToken.None).AsTask());
        var again = await Assert.ThrowsAsync<HardwareFaultException>(() => rig.Driver.MeasureAsync(CancellationToken.None).AsTask());

        Assert.Equal(FaultKind.InstrumentMismatch, first.Kind);
        Assert.Equal(FaultKind.InstrumentMismatch, again.Kind);
        Assert.Contains("MODEL 2450", first.Fault.Message);
        Assert.False(rig.Smu.OutputOn);
    }

    [Fact]
    public async Task A_2450_left_in_2400_emulation_is_refused()
    {
        await using var rig = SimulatedInstrumentOnLoopback.Start();
        rig.Instrument.Language = "SCPI2400";

        var fault = await Assert.ThrowsAsync<HardwareFaultException>(() => rig.Driver.OutputOffAsync(CancellationToken.None).AsTask());

        Assert.Equal(FaultKind.InstrumentMismatch, fault.Kind);
    }

    [Fact]
    public async Task An_answer_later_than_the_time_out_is_a_timeout_fault_and_is_never_taken_for_the_next_answer()
    {
        await using var rig = SimulatedInstrumentOnLoopback.Start();
        await rig.Driver.SourceCurrentAsync(-OneMilliampPerSquareCentimetre, VoltageLimit, CancellationToken.None);

        rig.Server.ReplyDelay = TimeSpan.FromSeconds(2.5);
        var fault = await Assert.ThrowsAsync<HardwareFaultException>(() => rig.Driver.MeasureAsync(CancellationToken.None).AsTask());
        rig.Server.ReplyDelay = TimeSpan.Zero;
        var reading = await rig.Driver.MeasureAsync(CancellationToken.None);

        Assert.Equal(FaultKind.DeviceTimeout, fault.Kind);
        Assert.True(reading.OutputOn);
        Assert.InRange(reading.Current.Milliamperes, -0.80, -0.77);
    }

    [Fact]
    public async Task A_link_that_keeps_dropping_faults_only_the_calls_it_cuts_and_every_answer_read_belongs_to_its_query()
    {
        await using var rig = SimulatedInstrumentOnLoopback.Start();
        await rig.Driver.SourceCurrentAsync(-OneMilliampPerSquareCentimetre, VoltageLimit, CancellationToken.None);
        rig.Server.DropEveryMessages = 20; // a connect takes 15 messages, a measurement 3: the link drops inside every second measurement

        var readings = 0;
        var faults = new List<FaultKind>();
        for (var i = 0; i < 30; i++)
        {
            try
            {
                var reading = await rig.Driver.MeasureAsync(CancellationToken.None);
                Assert.True(reading.OutputOn);
                Assert.InRange(reading.Current.Milliamperes, -0.80, -0.77); // the :READ? answer, never another query's
                readings++;
            }
            catch (HardwareFaultException ex)
            {
                faults.Add(ex.Kind);
            }
        }

        Assert.True(readings >= 10, $"{readings} readings");
        Assert.NotEmpty(faults);
        Assert.All(faults, kind => Assert.Equal(FaultKind.InstrumentLinkLost, kind));
    }

    [Fact]
    public async Task The_session_common_commands_reset_the_instrument_and_wait_for_pending_operations()
    {
        await using var rig = SimulatedInstrumentOnLoopback.Start();
        await rig.Driver.SourceCurrentAsync(OneMilliampPerSquareCentimetre, VoltageLimit, CancellationToken.None);
        var transport = Rig.Drivers.Potentiostats.Scpi.Transports.ScpiAddress.Parse(rig.Server.Address).CreateTransport(TimeSpan.FromSeconds(1));
        await using var session = new Rig.Drivers.Potentiostats.Scpi.ScpiSession(transport, "raw", TimeProvider.System, SimulatedInstrumentOnLoopback.ShortTimeouts);
        await session.ConnectAsync(CancellationToken.None);

        await session.ResetAsync(CancellationToken.None);
        await session.WaitOperationCompleteAsync(CancellationToken.None);
        var identity = await session.IdentifyAsync(CancellationToken.None);

        Assert.False(rig.Smu.OutputOn); // *RST: output off
        Assert.Equal("MODEL 2450", identity.Model);
        Assert.Empty(await session.ReadErrorQueueAsync(CancellationToken.None));
    }

    // Sources for a while, reading every step; integrates I·dt over the instrument's own timestamps.
    private static async Task<(ElectricCharge Charge, PotentiostatReading Last)> PassChargeAsync(SimulatedInstrumentOnLoopback rig, TimeSpan step, Func<PotentiostatReading, TimeSpan, bool> until)
    {
        var previous = await rig.Driver.MeasureAsync(CancellationToken.None);
        var start = previous.Timestamp;
        var charge = ElectricCharge.Zero;
        while (true)
        {
            rig.CellClock.Advance(step);
            var reading = await rig.Driver.MeasureAsync(CancellationToken.None);
            charge += ElectricCharge.FromAmpereHours(reading.Current.Amperes * (reading.Timestamp - previous.Timestamp).TotalHours);
            previous = reading;
            if (until(reading, reading.Timestamp - start))
            {
                return (charge, reading);
            }
        }
    }
}
