using System.Device.Gpio;
using Microsoft.Extensions.Time.Testing;
using Rig.Drivers.Faults;
using Rig.Drivers.LoadCells;
using Rig.Drivers.LoadCells.Calibration;
using Rig.Drivers.LoadCells.Hx711;
using UnitsNet;

namespace Rig.Drivers.Tests.LoadCells;

/// <summary>
/// The HX711 adapter through the real Iot.Device.Bindings 4.2 binding, bit-banging a simulated chip on its pins:
/// only the silicon is fake.
/// </summary>
public sealed class Hx711BridgeAdcTests : IDisposable
{
    private const int DataPin = 5;
    private const int ClockPin = 6;
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(500);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
    private readonly FakeHx711Gpio _chip;
    private readonly GpioController _gpio;
    private readonly BlockingBridgeAdc _adc;

    public Hx711BridgeAdcTests()
    {
        _chip = new FakeHx711Gpio(DataPin, ClockPin, _time);
        _gpio = new GpioController(_chip);
        _adc = Hx711BridgeAdc.Open(DataPin, ClockPin, _gpio, Timeout, _time);
    }

    public void Dispose()
    {
        _chip.Disconnected = false; // lets a binding thread still spinning on DOUT finish
        _adc.Dispose();
        _gpio.Dispose();
    }

    [Theory]
    [InlineData(0x000001, 1)]
    [InlineData(0x0186A0, 100_000)]
    [InlineData(0xFE7960, -100_000)]
    [InlineData(0xFFFFFF, -1)]
    [InlineData(0x7FFFFF, 8_388_607)]
    [InlineData(0x800000, -8_388_608)]
    public async Task The_24_bit_twos_complement_word_shifted_out_msb_first_is_the_raw_count(int word, int counts)
    {
        _chip.Word = word;

        var reading = await _adc.ReadAsync(CancellationToken.None);

        Assert.Equal(counts, reading.RawCounts);
        Assert.Equal(_time.GetUtcNow(), reading.Timestamp);
    }

    [Fact]
    public async Task Every_read_sends_24_data_pulses_and_one_gain_pulse_so_the_chip_stays_on_channel_a_gain_128()
    {
        _chip.Word = 0x123456;
        await _adc.ReadAsync(CancellationToken.None);
        _time.Advance(_chip.ConversionTime);
        _chip.Word = 0x000010;

        var second = await _adc.ReadAsync(CancellationToken.None);

        Assert.Equal(16, second.RawCounts);
        Assert.Equal([25, 25], _chip.PulsesPerRead);
        Assert.Equal("A128", _chip.NextConversionInput);
        Assert.Equal(PinValue.Low, _chip.ClockLevel); // PD_SCK left low: the chip keeps converting
        Assert.Equal(0, _chip.PowerDowns);
    }

    [Fact]
    public async Task A_clock_pulse_stretched_past_60_us_powers_the_chip_down_and_corrupts_that_read_undetected()
    {
        _chip.Word = 0x123456;
        _chip.WhileClockHigh = pulse =>
        {
            if (pulse == 12)
            {
                _time.Advance(TimeSpan.FromMicroseconds(100)); // the binding's thread pre-empted with PD_SCK high
            }
        };

        var corrupt = await _adc.ReadAsync(CancellationToken.None);
        _chip.WhileClockHigh = null;
        _time.Advance(_chip.ConversionTime);
        var after = await _adc.ReadAsync(CancellationToken.None);

        // The first 11 bits arrived; from the 12th on DOUT is high (converting after the reset): a known limit.
        Assert.Equal(0x123FFF, corrupt.RawCounts);
        Assert.Equal(1, _chip.PowerDowns);
        Assert.Equal(0x123456, after.RawCounts);
        Assert.Equal("A128", _chip.NextConversionInput);
    }

    [Fact]
    public void The_sensitivity_is_two_to_the_24_times_gain_128_per_volt_of_full_scale()
    {
        // Channel A, gain 128: ±0.5 AVDD / 128 spans 2^24 counts, so 1 mV/V is 128 · 2^24 / 1000 counts.
        Assert.Equal(2_147_483.648, _adc.CountsPerMillivoltPerVolt, 3);
    }

    [Theory]
    [InlineData(37_000, 250)]
    [InlineData(12_000, 0)]
    [InlineData(-13_000, -250)]
    public async Task A_calibrated_hx711_turns_its_counts_into_force(int counts, double newtons)
    {
        var calibration = new LoadCellCalibration(ZeroCounts: 12_000, CountsPerNewton: 100, null, null, null);
        using var sensor = new CalibratedForceSensor(_adc, calibration);
        _chip.Word = counts & 0xFFFFFF;

        var reading = await sensor.ReadAsync(CancellationToken.None);

        Assert.Equal(Force.FromNewtons(newtons), reading.Force);
        Assert.Equal(counts, reading.RawCounts);
    }

    [Theory]
    [InlineData(0x7FFFFF)]
    [InlineData(0x800000)]
    public async Task A_saturated_hx711_is_a_sensor_out_of_range_fault_not_a_force(int word)
    {
        using var sensor = new CalibratedForceSensor(_adc, new LoadCellCalibration(0, 100, null, null, null));
        _chip.Word = word;

        var fault = await Assert.ThrowsAsync<HardwareFaultException>(async () => await sensor.ReadAsync(CancellationToken.None));

        Assert.Equal(FaultKind.SensorOutOfRange, fault.Kind);
        Assert.Equal($"hx711@gpio{DataPin}/{ClockPin}", fault.Fault.Device);
    }

    [Fact]
    public async Task A_chip_that_never_pulls_dout_low_fails_as_a_device_timeout_after_the_time_out()
    {
        _chip.Disconnected = true;

        // The clock is moved by hand, not by a loop racing the thread pool: the read cannot end before the time-out
        // (the chip never answers), and the time-out fires when the fake clock reaches it, whatever the machine's load.
        var read = _adc.ReadAsync(CancellationToken.None).AsTask();
        _time.Advance(Timeout - TimeSpan.FromTicks(1));
        var earlyFinish = read.IsCompleted;
        _time.Advance(TimeSpan.FromTicks(1));
        var fault = await Assert.ThrowsAsync<HardwareFaultException>(() => read);
        var again = await Assert.ThrowsAsync<HardwareFaultException>(async () => await _adc.ReadAsync(CancellationToken.None));

        Assert.False(earlyFinish);
        Assert.Equal(FaultKind.DeviceTimeout, fault.Kind);
        Assert.Equal(FaultKind.DeviceTimeout, again.Kind); // the spinning binding is not stacked on
        Assert.Empty(_chip.PulsesPerRead); // no clock pulses were sent to a chip that never said ready
    }
}
