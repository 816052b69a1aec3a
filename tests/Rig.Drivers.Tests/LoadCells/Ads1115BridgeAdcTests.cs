using Iot.Device.Ads1115;
using Microsoft.Extensions.Time.Testing;
using Rig.Drivers.Faults;
using Rig.Drivers.LoadCells;
using Rig.Drivers.LoadCells.Ads1115;
using Rig.Drivers.LoadCells.Calibration;
using UnitsNet;

namespace Rig.Drivers.Tests.LoadCells;

/// <summary>The ADS1115 adapter through the real Iot.Device.Bindings 4.2 binding against the chip's register map.</summary>
public sealed class Ads1115BridgeAdcTests
{
    private const string Device = "ads1115@i2c-1/0x48";
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(500);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));

    private BlockingBridgeAdc Open(FakeAds1115I2c chip, MeasuringRange range = MeasuringRange.FS4096, DataRate rate = DataRate.SPS128) =>
        Ads1115BridgeAdc.Open(chip, range, rate, amplifierGain: 500, excitationVolts: 5, Device, Timeout, _time);

    [Theory]
    [InlineData(MeasuringRange.FS6144, DataRate.SPS860, 0b000, 0b111, 0x81E3)]
    [InlineData(MeasuringRange.FS4096, DataRate.SPS128, 0b001, 0b100, 0x8383)]
    [InlineData(MeasuringRange.FS0256, DataRate.SPS008, 0b101, 0b000, 0x8B03)]
    public async Task Each_read_writes_a_single_shot_ain0_ain1_config_with_the_configured_pga_and_rate(
        MeasuringRange range, DataRate rate, int pga, int dataRate, int configWord)
    {
        using var chip = new FakeAds1115I2c { InputCode = 1234 };
        using var adc = Open(chip, range, rate);
        var writesBeforeRead = chip.ConfigWrites.Count;

        var reading = await adc.ReadAsync(CancellationToken.None);

        var config = chip.ConfigWrites[^1];
        Assert.Equal(configWord, config);
        Assert.Equal(1, config >> 15); // OS: start a single conversion
        Assert.Equal(0b000, (config >> 12) & 0b111); // MUX: AINP = AIN0, AINN = AIN1 (differential)
        Assert.Equal(pga, (config >> 9) & 0b111); // PGA
        Assert.Equal(1, (config >> 8) & 1); // MODE: single-shot / power-down
        Assert.Equal(dataRate, (config >> 5) & 0b111); // DR
        Assert.Equal(0b0_0_0_11, config & 0x1F); // COMP_MODE traditional, POL low, LAT off, QUE 11: ALERT/RDY off
        Assert.Equal(writesBeforeRead + 1, chip.ConfigWrites.Count); // one fresh conversion per read
        Assert.Equal(1234, reading.RawCounts);
        Assert.Equal(0x8000, chip.LowThreshold); // the binding puts the thresholds back to power-on values
        Assert.Equal(0x7FFF, chip.HighThreshold);
    }

    [Theory]
    [InlineData(0x7FFF, 32_767)]
    [InlineData(0x8000, -32_768)]
    [InlineData(0x0001, 1)]
    [InlineData(0xFFFF, -1)]
    [InlineData(0x0000, 0)]
    public async Task The_big_endian_twos_complement_conversion_register_is_the_raw_count(int register, int counts)
    {
        using var chip = new FakeAds1115I2c { InputCode = unchecked((short)register) };
        using var adc = Open(chip);

        var reading = await adc.ReadAsync(CancellationToken.None);

        Assert.Equal(counts, reading.RawCounts);
        Assert.Equal(_time.GetUtcNow(), reading.Timestamp);
    }

    [Fact]
    public void The_sensitivity_follows_amplifier_gain_excitation_and_full_scale()
    {
        using var chip = new FakeAds1115I2c();
        using var adc = Open(chip, MeasuringRange.FS4096);

        // 1 mV/V at 5 V excitation is 5 mV; x500 is 2.5 V on a ±4.096 V range of ±2^15 counts.
        Assert.Equal(2.5 / 4.096 * 32768, adc.CountsPerMillivoltPerVolt, 6);
        Assert.Equal(BridgeAdcRails.SixteenBit, adc.Rails);
    }

    [Theory]
    [InlineData(-20_000, 100)]
    [InlineData(-10_000, 0)]
    [InlineData(-5_000, -50)]
    public async Task A_calibrated_ads1115_turns_its_counts_into_force(short counts, double newtons)
    {
        using var chip = new FakeAds1115I2c { InputCode = counts };
        using var sensor = new CalibratedForceSensor(Open(chip), new LoadCellCalibration(ZeroCounts: -10_000, CountsPerNewton: -100, null, null, null));

        var reading = await sensor.ReadAsync(CancellationToken.None);

        Assert.Equal(Force.FromNewtons(newtons), reading.Force);
    }

    [Theory]
    [InlineData(short.MaxValue)]
    [InlineData(short.MinValue)]
    public async Task An_ads1115_pegged_at_its_16_bit_rail_is_a_sensor_out_of_range_fault_not_a_force(short railCode)
    {
        using var chip = new FakeAds1115I2c { InputCode = railCode };
        using var sensor = new CalibratedForceSensor(Open(chip), new LoadCellCalibration(0, 10, null, null, null));

        var fault = await Assert.ThrowsAsync<HardwareFaultException>(async () => await sensor.ReadAsync(CancellationToken.None));

        Assert.Equal(FaultKind.SensorOutOfRange, fault.Kind);
        Assert.Equal(Device, fault.Fault.Device);
    }

    [Fact]
    public async Task A_conversion_that_never_finishes_is_a_device_timeout_within_the_time_out()
    {
        using var chip = new FakeAds1115I2c();
        using var adc = Open(chip);
        chip.ConversionNeverEnds = true;
        var started = _time.GetUtcNow();

        // The binding gives up by itself after polling for 10 ms of real time; if the machine is too loaded for that to
        // happen within a generous real bound, the rig clock's time-out is moved onto in one step. Either way the rig
        // clock never passes the time-out (no loop racing the thread pool, which overshot it under load).
        var read = adc.ReadAsync(CancellationToken.None).AsTask();
        if (await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(10))) != read)
        {
            _time.Advance(Timeout);
        }
        var fault = await Assert.ThrowsAsync<HardwareFaultException>(() => read);

        Assert.Equal(FaultKind.DeviceTimeout, fault.Kind);
        Assert.Equal(Device, fault.Fault.Device);
        Assert.InRange(_time.GetUtcNow() - started, TimeSpan.Zero, Timeout);
        chip.ConversionNeverEnds = false;
        Assert.Equal(0, (await adc.ReadAsync(CancellationToken.None)).RawCounts); // the binding gave up: nothing left hanging
    }

    [Fact]
    public async Task An_ads1115_that_nacks_is_device_not_responding_with_the_io_error_inside()
    {
        using var chip = new FakeAds1115I2c();
        using var adc = Open(chip);
        chip.Nacks = true;

        var fault = await Assert.ThrowsAsync<HardwareFaultException>(async () => await adc.ReadAsync(CancellationToken.None));

        Assert.Equal(FaultKind.DeviceNotResponding, fault.Kind);
        Assert.IsType<IOException>(fault.InnerException);
    }

    [Fact]
    public void Disposing_an_ads1115_that_stopped_answering_does_not_throw_and_releases_the_i2c_device()
    {
        var chip = new FakeAds1115I2c();
        var adc = Open(chip);
        chip.Nacks = true;

        adc.Dispose();

        Assert.True(chip.Disposed);
    }

    [Fact]
    public void Opening_an_absent_ads1115_is_device_not_responding_not_a_bare_io_exception()
    {
        using var chip = new FakeAds1115I2c { Nacks = true };

        var fault = Assert.Throws<HardwareFaultException>(() => Open(chip));

        Assert.Equal(FaultKind.DeviceNotResponding, fault.Kind);
        Assert.Equal(Device, fault.Fault.Device);
    }

    [Fact]
    public void Opening_an_ads1115_whose_first_conversion_never_finishes_is_a_device_timeout()
    {
        using var chip = new FakeAds1115I2c { ConversionNeverEnds = true };

        var fault = Assert.Throws<HardwareFaultException>(() => Open(chip));

        Assert.Equal(FaultKind.DeviceTimeout, fault.Kind);
    }
}
