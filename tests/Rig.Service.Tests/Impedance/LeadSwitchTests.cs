using CsCheck;
using Rig.Drivers.Faults;
using Rig.Drivers.Impedance.LeadSwitching;
using Rig.Service.Channels;
using Rig.Service.Configuration;
using Rig.Service.Control;
using Rig.Service.Engine;
using Rig.Service.Interlocks;

namespace Rig.Service.Tests.Impedance;

/// <summary>
/// Wiring B: the lead relay around an impedance step. The order of a normal sweep, every fault path ending with the
/// relay de-energised and the SMU off, the start-up and safe-state paths, and the interlock that keeps the SMU's
/// output off while the relay is energised.
/// </summary>
public sealed class LeadSwitchTests
{
    private const string Protocol = """
        {
          "name": "EIS then plating",
          "cell": "AnodeFreeHalfCell",
          "safety": { "voltage": "-1 V to 3.5 V", "maxCurrent": "10 mA/cm2" },
          "steps": [
            "Rest for 3 s",
            "Impedance from 1 MHz to 1 Hz at 30 mV, 10 points per decade",
            "Plate at 1 mA/cm2 for 10 s"
          ]
        }
        """;

    private const string PlateFirst = """
        {
          "name": "plating",
          "cell": "AnodeFreeHalfCell",
          "safety": { "voltage": "-1 V to 3.5 V", "maxCurrent": "10 mA/cm2" },
          "steps": [ "Plate at 1 mA/cm2 for 10 s" ]
        }
        """;

    public enum FaultPoint
    {
        SweepFault,
        AnalyzerTimeout,
        InstrumentLinkLost,
        Pause,
        Abort,
        AllOff,
        EmergencyStop,
        ServiceStop,
        EngineException,
        RelayFailsToAnalyzer,
        RelayFailsToSmu,
    }

    /// <summary>Where in the step the fault comes: while the relay settles onto the analyser, or mid-sweep.</summary>
    public enum Moment
    {
        Settling,
        Sweeping,
    }

    public static TheoryData<FaultPoint, Moment> EveryFault()
    {
        var data = new TheoryData<FaultPoint, Moment>();
        foreach (var fault in Enum.GetValues<FaultPoint>())
        {
            foreach (var moment in Enum.GetValues<Moment>())
            {
                data.Add(fault, moment);
            }
        }
        return data;
    }

    [Fact]
    public async Task A_sweep_runs_smu_off_then_relay_to_analyser_then_sweep_then_generator_off_then_relay_to_smu_then_the_next_step()
    {
        await using var rig = new RelayRig();

        Assert.True((await rig.Host.StartAsync(new StartTestRequest(RelayRig.Channel, null, Protocol), CancellationToken.None)).Accepted);
        for (var i = 0; i < 60 && rig.State1 == RunState.Running; i++)
        {
            await rig.TickAsync();
        }

        Assert.Equal(RunState.Finished, rig.State1);
        Assert.Equal(
            ["relay Analyzer, smu off, step waiting", "sweep", "generator off", "relay Smu, smu off, step waiting"],
            rig.Snapshot());
        Assert.Equal(LeadPosition.Smu, rig.Relay.Position);
        Assert.False(rig.SmuOnWhileEnergised);
        Assert.Single(rig.Runner.Measured);
        // The relay's settle times are on the rig clock: the sweep started no sooner than one settle after the switch.
        var (energisedAt, _) = rig.Relay.History[0];
        Assert.True(rig.Runner.Measured.Single().Spectrum.StartedAt - energisedAt >= RelayRig.Settle);
    }

    [Theory]
    [MemberData(nameof(EveryFault))]
    public async Task Every_fault_path_ends_with_the_relay_de_energised_and_the_smu_off(FaultPoint fault, Moment moment)
    {
        await using var rig = new RelayRig();
        rig.Analyzer.Hold = true;
        if (fault == FaultPoint.RelayFailsToAnalyzer)
        {
            rig.Relay.FailToAnalyzer = true;
        }
        Assert.True((await rig.Host.StartAsync(new StartTestRequest(RelayRig.Channel, null, Protocol), CancellationToken.None)).Accepted);

        // Up to the chosen moment: the relay just energised (its settle still running), or the sweep under way.
        for (var i = 0; i < 30 && !Reached(rig, fault, moment); i++)
        {
            await rig.TickAsync(() => rig.Analyzer.Waiting || Reached(rig, fault, moment));
        }
        if (fault != FaultPoint.RelayFailsToAnalyzer)
        {
            Assert.True(Reached(rig, fault, moment), $"never reached {moment}");
            Assert.Equal(LeadPosition.Analyzer, rig.Relay.Position);
        }

        await InjectAsync(rig, fault, moment);
        for (var i = 0; i < 3; i++)
        {
            if (fault != FaultPoint.ServiceStop)
            {
                await rig.TickAsync();
            }
            await rig.DriveAsync(() => false);
        }

        Assert.False(rig.Instrument.OutputOn, "SMU output on after the fault");
        Assert.False(rig.SmuOnWhileEnergised);
        if (fault == FaultPoint.RelayFailsToSmu)
        {
            // It cannot be de-energised: held, alarmed, and the SMU stays off (resume refused) until it is.
            Assert.Equal(LeadPosition.Unknown, rig.Relay.Position);
            Assert.Contains(rig.State.Interlocks.Active(RelayRig.Channel), i => i.Kind == InterlockKind.LeadSwitchFault && i.Source == rig.Relay.Device);
            Assert.Contains(rig.Events.Recent(), e => e.Severity == RigEventSeverity.Alarm && e.Message.Contains(rig.Relay.Device, StringComparison.Ordinal));
            Assert.Equal(RunState.Paused, rig.State1);
            Assert.False((await rig.Host.ResumeAsync(RelayRig.Channel, CancellationToken.None)).Accepted);
            return;
        }
        Assert.Equal(LeadPosition.Smu, rig.Relay.Position);
        Assert.Contains("relay Smu", rig.Snapshot()[^1], StringComparison.Ordinal);
        if (fault == FaultPoint.RelayFailsToAnalyzer)
        {
            Assert.Contains(rig.State.Interlocks.Active(RelayRig.Channel), i => i.Kind == InterlockKind.LeadSwitchFault);
            Assert.Equal(RunState.Paused, rig.State1);
        }
        if (fault is not FaultPoint.ServiceStop)
        {
            Assert.NotEqual(RunState.Running, rig.State1);
        }
    }

    [Fact]
    public async Task A_fault_at_any_millisecond_of_the_relay_sequence_never_leaves_the_smu_on_with_the_leads_away()
    {
        // Any fault, at any rig-clock millisecond from the relay's switch to the analyser until after it is back:
        // the SMU is never on while the relay is not on the SMU, and the relay ends on the SMU (or, when its own
        // driver failed, unknown and held by a LeadSwitchFault interlock with the SMU off).
        var faults = Gen.Enum<FaultPoint>().Where(f => f is not (FaultPoint.SweepFault or FaultPoint.AnalyzerTimeout or FaultPoint.RelayFailsToAnalyzer));
        await Gen.Select(faults, Gen.Int[0, 50]).SampleAsync(async sample =>
        {
            var (fault, milliseconds) = sample;
            await using var rig = new RelayRig();
            Assert.True((await rig.Host.StartAsync(new StartTestRequest(RelayRig.Channel, null, Protocol), CancellationToken.None)).Accepted);
            for (var i = 0; i < 30 && rig.Relay.History.Count == 0; i++)
            {
                await rig.TickAsync(() => rig.Relay.History.Count > 0);
            }
            for (var ms = 0; ms < milliseconds; ms++)
            {
                rig.Time.Advance(TimeSpan.FromMilliseconds(1));
                await Task.Delay(1);
            }

            await InjectAsync(rig, fault, Moment.Settling);
            for (var i = 0; i < 3; i++)
            {
                if (fault != FaultPoint.ServiceStop)
                {
                    await rig.TickAsync();
                }
                await rig.DriveAsync(() => false);
            }

            Assert.False(rig.SmuOnWhileEnergised);
            if (rig.Relay.Position != LeadPosition.Smu)
            {
                Assert.Equal(FaultPoint.RelayFailsToSmu, fault);
                Assert.False(rig.Instrument.OutputOn);
                Assert.Contains(rig.State.Interlocks.Active(RelayRig.Channel), i => i.Kind == InterlockKind.LeadSwitchFault);
            }
        }, iter: 25, threads: 1, print: s => $"{s.Item1} at +{s.Item2} ms");
    }

    [Fact]
    public async Task The_smu_output_is_not_turned_on_while_the_relay_is_energised()
    {
        await using var rig = new RelayRig();
        await rig.CompleteAsync(rig.Relay.ConnectAnalyzerAsync(CancellationToken.None).AsTask());

        Assert.True((await rig.Host.StartAsync(new StartTestRequest(RelayRig.Channel, null, PlateFirst), CancellationToken.None)).Accepted);
        await rig.TickAsync();
        await rig.TickAsync();

        Assert.False(rig.Instrument.OutputOn);
        var status = rig.Host.Status()[0];
        Assert.Equal(RunState.Paused, status.State);
        Assert.Contains("lead relay", status.Reason, StringComparison.Ordinal);
        Assert.Contains(rig.Events.Recent(), e => e.Code == "impedance.leads_not_on_smu" && e.Severity == RigEventSeverity.Alarm);

        // Back on the SMU, the same test resumes and sources.
        await rig.CompleteAsync(rig.Relay.ConnectSmuAsync(CancellationToken.None).AsTask());
        Assert.True((await rig.Host.ResumeAsync(RelayRig.Channel, CancellationToken.None)).Accepted);
        await rig.TickAsync();
        Assert.True(rig.Instrument.OutputOn);
    }

    [Fact]
    public async Task The_safe_state_path_run_at_start_up_de_energises_a_relay_left_energised()
    {
        await using var rig = new RelayRig();
        await rig.CompleteAsync(rig.Relay.ConnectAnalyzerAsync(CancellationToken.None).AsTask());

        await rig.CompleteAsync(rig.Safety.MakeSafeAsync("start-up"));

        Assert.Equal(LeadPosition.Smu, rig.Relay.Position);
    }

    [Fact]
    public void A_gpio_relay_pin_that_is_out_of_range_or_already_used_is_refused_naming_both_keys()
    {
        var options = new RigOptions();
        options.HeaterZones["z1"] = new HeaterZoneOptions { CutOut = new ThermalCutOutOptions { Kind = ThermalCutOutKind.Gpio, GpioPin = 22 } };
        options.EmergencyStop = new EmergencyStopOptions { Kind = EmergencyStopKind.Gpio, GpioPin = 26 };
        options.Channels["ch1"] = new ChannelOptions { LeadSwitch = new LeadSwitchOptions { Kind = LeadSwitchKind.Gpio, GpioPin = 22 } };
        options.Channels["ch2"] = new ChannelOptions { LeadSwitch = new LeadSwitchOptions { Kind = LeadSwitchKind.Gpio, GpioPin = 5 } };
        options.Channels["ch3"] = new ChannelOptions { LeadSwitch = new LeadSwitchOptions { Kind = LeadSwitchKind.Gpio, GpioPin = 5 } };
        options.Channels["ch4"] = new ChannelOptions { LeadSwitch = new LeadSwitchOptions { Kind = LeadSwitchKind.Gpio, GpioPin = 60 } };
        options.Channels["ch5"] = new ChannelOptions { LeadSwitch = new LeadSwitchOptions { Kind = LeadSwitchKind.Gpio, GpioPin = 26, SettleMilliseconds = 0 } };
        options.Channels["ch6"] = new ChannelOptions { LeadSwitch = new LeadSwitchOptions { Kind = LeadSwitchKind.Gpio } };

        var failures = new RigOptionsValidator().Validate(null, options).Failures ?? [];

        Assert.Contains(failures, f => f.StartsWith("Rig:Channels:ch1:LeadSwitch:GpioPin", StringComparison.Ordinal) && f.Contains("Rig:HeaterZones:z1:CutOut:GpioPin", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Rig:Channels:ch3:LeadSwitch:GpioPin", StringComparison.Ordinal) && f.Contains("Rig:Channels:ch2:LeadSwitch:GpioPin", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Rig:Channels:ch4:LeadSwitch:GpioPin", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Rig:Channels:ch5:LeadSwitch:GpioPin", StringComparison.Ordinal) && f.Contains("Rig:EmergencyStop:GpioPin", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Rig:Channels:ch5:LeadSwitch:SettleMilliseconds", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Rig:Channels:ch6:LeadSwitch:GpioPin", StringComparison.Ordinal));
        Assert.DoesNotContain(failures, f => f.StartsWith("Rig:Channels:ch2:LeadSwitch", StringComparison.Ordinal));
    }

    [Fact]
    public void A_gpio_relay_on_the_i2c_bus_of_the_clamps_is_refused_naming_the_clamp()
    {
        var options = new RigOptions();
        options.Channels["ch1"] = new ChannelOptions
        {
            Clamp = new ClampOptions { Kind = LoadCellKind.Nau7802 },
            LeadSwitch = new LeadSwitchOptions { Kind = LeadSwitchKind.Gpio, GpioPin = 3 },
        };
        options.Channels["ch2"] = new ChannelOptions { LeadSwitch = new LeadSwitchOptions { Kind = LeadSwitchKind.Gpio, GpioPin = 24 } };

        var failures = new RigOptionsValidator().Validate(null, options).Failures ?? [];

        Assert.Contains(failures, f => f.StartsWith("Rig:Channels:ch1:LeadSwitch:GpioPin", StringComparison.Ordinal) && f.Contains("Rig:Channels:ch1:Clamp:Nau7802:I2cBus", StringComparison.Ordinal));
        Assert.DoesNotContain(failures, f => f.StartsWith("Rig:Channels:ch2:LeadSwitch", StringComparison.Ordinal));
    }

    private static bool Reached(RelayRig rig, FaultPoint fault, Moment moment) =>
        fault == FaultPoint.RelayFailsToAnalyzer
            ? rig.State.Interlocks.Active(RelayRig.Channel).Count > 0
            : moment == Moment.Sweeping ? rig.Analyzer.Waiting : rig.Relay.Position == LeadPosition.Analyzer;

    private static async Task InjectAsync(RelayRig rig, FaultPoint fault, Moment moment)
    {
        var analyserFault = fault switch
        {
            FaultPoint.SweepFault => new HardwareFault(FaultKind.InstrumentError, rig.Analyzer.Device, "1260 error 31: overload", "the 1260"),
            FaultPoint.AnalyzerTimeout => new HardwareFault(FaultKind.DeviceTimeout, rig.Analyzer.Device, "no answer from the GPIB adapter within 3 s", "the adapter"),
            _ => null,
        };
        switch (fault)
        {
            case FaultPoint.SweepFault or FaultPoint.AnalyzerTimeout when moment == Moment.Sweeping:
                rig.Analyzer.Fail(analyserFault!);
                break;
            case FaultPoint.SweepFault or FaultPoint.AnalyzerTimeout:
                rig.Analyzer.Hold = false;
                rig.Analyzer.FailWith = analyserFault;
                rig.Analyzer.Fail(analyserFault!); // in case the settle ended and the sweep already waits
                break;
            case FaultPoint.InstrumentLinkLost:
                rig.Instrument.DisconnectLink();
                break;
            case FaultPoint.Pause:
                Assert.True((await rig.Host.PauseAsync(RelayRig.Channel, "operator", CancellationToken.None)).Accepted);
                break;
            case FaultPoint.Abort:
                Assert.True((await rig.Host.AbortAsync(RelayRig.Channel, "operator", CancellationToken.None)).Accepted);
                break;
            case FaultPoint.AllOff:
                rig.State.Interlocks.Raise(InterlockBoard.RigWide, new Interlock(InterlockKind.AllOff, "operator", rig.Time.GetUtcNow(), "all-off: test"));
                await rig.CompleteAsync(rig.Safety.MakeSafeAsync("all-off (test)"));
                break;
            case FaultPoint.EmergencyStop:
                rig.Hardware.Simulation.EmergencyStop!.Set(true);
                var monitor = new EmergencyStopMonitor(rig.Hardware.EmergencyStop!, rig.State, rig.Events, rig.Safety, rig.Time, TimeSpan.FromMilliseconds(100));
                await rig.CompleteAsync(monitor.TickAsync());
                break;
            case FaultPoint.ServiceStop:
                // What the host does on SIGTERM: the runner is disposed (its sweeps cancelled), the worker makes the rig safe.
                await rig.CompleteAsync(rig.Runner.DisposeAsync().AsTask());
                await rig.CompleteAsync(rig.Safety.MakeSafeAsync("service stopping"));
                break;
            case FaultPoint.EngineException:
                rig.Bug.Throw = true;
                break;
            case FaultPoint.RelayFailsToAnalyzer:
                break; // armed before the start
            case FaultPoint.RelayFailsToSmu:
                rig.Relay.FailToSmu = true;
                if (moment == Moment.Sweeping)
                {
                    rig.Analyzer.Release();
                }
                else
                {
                    rig.Analyzer.Hold = false;
                    rig.Analyzer.Release();
                }
                break;
        }
    }
}
