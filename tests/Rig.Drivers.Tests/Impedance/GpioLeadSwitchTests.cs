using System.Device.Gpio;
using Microsoft.Extensions.Time.Testing;
using Rig.Drivers.Faults;
using Rig.Drivers.Impedance.LeadSwitching;
using Rig.Drivers.Tests.Thermal;

namespace Rig.Drivers.Tests.Impedance;

/// <summary>The GPIO lead relay through <c>GpioController(GpioDriver)</c> with a recording driver, on a virtual clock.</summary>
public sealed class GpioLeadSwitchTests
{
    private const int Pin = 23;
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(20);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Opening_the_line_drives_it_de_energised_before_anything_else(bool activeHigh)
    {
        var driver = new RecordingGpioDriver(_time);
        using var relay = new GpioLeadSwitch(new GpioController(driver), Pin, activeHigh, Settle, _time, ownsController: true);

        var deEnergised = activeHigh ? PinValue.Low : PinValue.High;
        Assert.NotEmpty(driver.Writes);
        Assert.All(driver.Writes, w => Assert.Equal(deEnergised, w.Level)); // never a pulse of the coil
        Assert.Equal(LeadPosition.Smu, relay.Position);
        Assert.Equal("gpio23-relay", relay.Device);
    }

    [Fact]
    public async Task Each_switch_drives_the_coil_level_and_returns_only_after_the_settle_time()
    {
        var driver = new RecordingGpioDriver(_time);
        using var relay = new GpioLeadSwitch(new GpioController(driver), Pin, activeHigh: true, Settle, _time, ownsController: true);

        var toAnalyzer = relay.ConnectAnalyzerAsync(CancellationToken.None).AsTask();
        Assert.Equal(PinValue.High, driver.Level(Pin));
        Assert.Equal(LeadPosition.Analyzer, relay.Position);
        _time.Advance(Settle - TimeSpan.FromMilliseconds(1));
        Assert.False(toAnalyzer.IsCompleted, "returned before the contacts settled");
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await toAnalyzer;

        var toSmu = relay.ConnectSmuAsync(CancellationToken.None).AsTask();
        Assert.Equal(PinValue.Low, driver.Level(Pin));
        _time.Advance(Settle);
        await toSmu;
        Assert.Equal(LeadPosition.Smu, relay.Position);
    }

    [Fact]
    public async Task A_write_that_fails_is_a_typed_fault_and_leaves_the_position_unknown()
    {
        var driver = new FailingGpioDriver();
        using var relay = new GpioLeadSwitch(new GpioController(driver), Pin, activeHigh: true, Settle, _time, ownsController: true);
        driver.Fail = true;

        var ex = await Assert.ThrowsAsync<LeadSwitchFaultException>(() => relay.ConnectAnalyzerAsync(CancellationToken.None).AsTask());

        Assert.Equal(FaultKind.DeviceNotResponding, ex.Fault.Kind);
        Assert.Equal("gpio23-relay", ex.Fault.Device);
        Assert.Equal(LeadPosition.Unknown, relay.Position);
    }

    [Fact]
    public async Task Disposing_drives_the_line_de_energised_before_closing_it()
    {
        var driver = new RecordingGpioDriver(_time);
        var relay = new GpioLeadSwitch(new GpioController(driver), Pin, activeHigh: false, TimeSpan.Zero, _time, ownsController: true);
        await relay.ConnectAnalyzerAsync(CancellationToken.None);
        Assert.Equal(PinValue.Low, driver.Level(Pin));

        relay.Dispose();

        Assert.Equal(PinValue.High, driver.Writes[^1].Level);
    }

    [Fact]
    public async Task The_simulated_relay_records_its_switches_and_fails_when_told()
    {
        using var relay = new SimulatedLeadSwitch("sim-relay:ch1", TimeSpan.Zero, _time);
        await relay.ConnectAnalyzerAsync(CancellationToken.None);
        await relay.ConnectSmuAsync(CancellationToken.None);
        relay.FailToAnalyzer = true;

        await Assert.ThrowsAsync<LeadSwitchFaultException>(() => relay.ConnectAnalyzerAsync(CancellationToken.None).AsTask());

        Assert.Equal([LeadPosition.Analyzer, LeadPosition.Smu], relay.History.Select(h => h.Position));
        Assert.Equal(LeadPosition.Unknown, relay.Position);
        Assert.True(relay.Energised);
    }

    private sealed class FailingGpioDriver : Support.PolledGpioDriver
    {
        public bool Fail { get; set; }

        protected override PinValue Read(int pinNumber) => PinValue.Low;

        protected override void Write(int pinNumber, PinValue value)
        {
            if (Fail)
            {
                throw new IOException("gpiochip0: No such device");
            }
        }
    }
}
