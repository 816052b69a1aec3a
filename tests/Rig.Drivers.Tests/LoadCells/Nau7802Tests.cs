using Iot.Device.Tca954x;
using Microsoft.Extensions.Time.Testing;
using Rig.Drivers.Faults;
using Rig.Drivers.LoadCells.Nau7802;
using Rig.Drivers.LoadCells.Simulated;

namespace Rig.Drivers.Tests.LoadCells;

public class Nau7802Tests
{
    private readonly FakeTimeProvider _time = new();

    private Nau7802 Driver(SimulatedNau7802 chip, Nau7802Settings? settings = null) =>
        new(chip, settings ?? new Nau7802Settings(), _time, "nau7802@test", shouldDispose: false);

    [Fact]
    public async Task Init_writes_reset_power_up_ldo_gain_rate_analog_setup_and_calibration_in_datasheet_order()
    {
        var chip = new SimulatedNau7802();
        using var adc = Driver(chip, new Nau7802Settings { Gain = Nau7802Gain.X128, SampleRate = Nau7802SampleRate.Sps80 });

        await FakeClock.Run(_time, () => adc.InitializeAsync(CancellationToken.None));

        (byte, byte)[] expected =
        [
            (0x00, 0x01), // PU_CTRL: RR, register reset
            (0x00, 0x00), // PU_CTRL: out of reset
            (0x00, 0x06), // PU_CTRL: PUD | PUA, then PUR is polled
            (0x01, 0x27), // CTRL1: VLDO 100 (3.3 V) | GAINS 111 (x128)
            (0x02, 0x30), // CTRL2: CRS 011 (80 SPS), CALMOD 00
            (0x15, 0x30), // ADC: REG_CHPS 11, chopper clock off
            (0x1C, 0x80), // PWR_CTRL: PGA_CAP_EN
            (0x00, 0x96), // PU_CTRL: PUD | PUA | CS | AVDDS (internal LDO)
            (0x02, 0x34), // CTRL2: CRS 011 | CALS, internal offset calibration
        ];
        Assert.Equal(expected, chip.Writes);
        Assert.True(adc.Initialized);
        Assert.Equal(2, chip.ConversionsRead); // the first conversions after calibration are thrown away
    }

    [Fact]
    public async Task Init_waits_for_the_ldo_to_settle_on_the_rig_clock_before_calibrating()
    {
        var chip = new SimulatedNau7802();
        using var adc = Driver(chip, new Nau7802Settings { LdoSettleTime = TimeSpan.FromMilliseconds(400) });
        var started = _time.GetUtcNow();

        await FakeClock.Run(_time, () => adc.InitializeAsync(CancellationToken.None));

        Assert.True(_time.GetUtcNow() - started >= TimeSpan.FromMilliseconds(400));
    }

    [Theory]
    [InlineData(Nau7802Gain.X1, Nau7802SampleRate.Sps10, 0x20, 0x00)]
    [InlineData(Nau7802Gain.X64, Nau7802SampleRate.Sps40, 0x26, 0x20)]
    [InlineData(Nau7802Gain.X128, Nau7802SampleRate.Sps320, 0x27, 0x70)]
    public async Task Gain_and_rate_land_in_ctrl1_and_ctrl2_bit_fields(Nau7802Gain gain, Nau7802SampleRate rate, byte ctrl1, byte ctrl2)
    {
        var chip = new SimulatedNau7802();
        using var adc = Driver(chip, new Nau7802Settings { Gain = gain, SampleRate = rate });

        await FakeClock.Run(_time, () => adc.InitializeAsync(CancellationToken.None));

        Assert.Contains(((byte)0x01, ctrl1), chip.Writes);
        Assert.Contains(((byte)0x02, ctrl2), chip.Writes);
        Assert.Contains(((byte)0x02, (byte)(ctrl2 | 0x04)), chip.Writes);
    }

    [Theory]
    [InlineData(0x7FFFFF, 8_388_607)]
    [InlineData(0x800000, -8_388_608)]
    [InlineData(0xFFFFFF, -1)]
    [InlineData(0x000000, 0)]
    [InlineData(0x000001, 1)]
    public async Task The_24_bit_result_is_sign_extended_at_the_edges(int word, int counts)
    {
        var chip = new SimulatedNau7802 { ResultWord = word };
        using var adc = Driver(chip);

        var reading = await FakeClock.Run(_time, async () => await adc.ReadAsync(CancellationToken.None));

        Assert.Equal(counts, reading.RawCounts);
        Assert.Equal(counts, Nau7802.SignExtend24((byte)(word >> 16), (byte)(word >> 8), (byte)word));
    }

    [Fact]
    public async Task Power_up_that_never_reports_pur_times_out_as_a_device_timeout()
    {
        var chip = new SimulatedNau7802 { PowerUpNeverReady = true };
        using var adc = Driver(chip);

        var fault = await Assert.ThrowsAsync<HardwareFaultException>(() => FakeClock.Run(_time, () => adc.InitializeAsync(CancellationToken.None)));

        Assert.Equal(FaultKind.DeviceTimeout, fault.Kind);
        Assert.Contains("PUR", fault.Fault.Message);
        Assert.Equal("nau7802@test", fault.Fault.Device);
    }

    [Fact]
    public async Task Calibration_that_never_clears_cals_times_out_after_its_limit()
    {
        var chip = new SimulatedNau7802 { CalibrationNeverEnds = true };
        using var adc = Driver(chip, new Nau7802Settings { CalibrationTimeout = TimeSpan.FromMilliseconds(500) });
        var started = _time.GetUtcNow();

        var fault = await Assert.ThrowsAsync<HardwareFaultException>(() => FakeClock.Run(_time, () => adc.InitializeAsync(CancellationToken.None)));

        Assert.Equal(FaultKind.DeviceTimeout, fault.Kind);
        Assert.Contains("CALS", fault.Fault.Message);
        Assert.InRange(_time.GetUtcNow() - started, TimeSpan.FromMilliseconds(800), TimeSpan.FromMilliseconds(900));
    }

    [Fact]
    public async Task Calibration_error_flag_is_a_sensor_fault_naming_the_bridge_wiring()
    {
        var chip = new SimulatedNau7802 { CalibrationFails = true };
        using var adc = Driver(chip);

        var fault = await Assert.ThrowsAsync<HardwareFaultException>(() => FakeClock.Run(_time, () => adc.InitializeAsync(CancellationToken.None)));

        Assert.Equal(FaultKind.SensorFault, fault.Kind);
        Assert.Contains("CAL_ERR", fault.Fault.Message);
    }

    [Fact]
    public async Task A_conversion_that_never_becomes_ready_times_out_instead_of_hanging()
    {
        var chip = new SimulatedNau7802();
        using var adc = Driver(chip, new Nau7802Settings { DiscardedReadings = 0 });
        await FakeClock.Run(_time, () => adc.InitializeAsync(CancellationToken.None));
        chip.ConversionNeverReady = true;

        var fault = await Assert.ThrowsAsync<HardwareFaultException>(() => FakeClock.Run(_time, async () => await adc.ReadAsync(CancellationToken.None)));

        Assert.Equal(FaultKind.DeviceTimeout, fault.Kind);
        Assert.Contains("CR", fault.Fault.Message);
    }

    [Fact]
    public async Task A_disconnected_chip_is_device_not_responding_not_an_io_exception()
    {
        var chip = new SimulatedNau7802 { Absent = true };
        using var adc = Driver(chip);

        var fault = await Assert.ThrowsAsync<HardwareFaultException>(() => FakeClock.Run(_time, async () => await adc.ReadAsync(CancellationToken.None)));

        Assert.Equal(FaultKind.DeviceNotResponding, fault.Kind);
        Assert.IsType<IOException>(fault.InnerException);
    }

    [Fact]
    public async Task Each_clamp_behind_the_tca9548a_is_read_through_its_own_mux_channel()
    {
        var bus = new SimulatedMuxedBus();
        using var mux = new Tca9548A(bus.CreateDevice(SimulatedMuxedBus.MuxAddress), bus);
        var adcs = new[] { 2, 5 }.Select(channel =>
        {
            bus.Chip(channel).ResultWord = 1000 * (channel + 1);
            return new Nau7802(mux.GetChannel(channel).CreateDevice(Nau7802.DefaultI2cAddress), new Nau7802Settings(), _time, $"ch{channel}");
        }).ToList();

        var ch2 = await FakeClock.Run(_time, async () => await adcs[0].ReadAsync(CancellationToken.None));
        Assert.Equal(0b0000_0100, bus.Selection);
        var ch5 = await FakeClock.Run(_time, async () => await adcs[1].ReadAsync(CancellationToken.None));
        Assert.Equal(0b0010_0000, bus.Selection);

        Assert.Equal(3000, ch2.RawCounts);
        Assert.Equal(6000, ch5.RawCounts);
        Assert.NotEmpty(bus.Chip(2).Writes);
        Assert.NotEmpty(bus.Chip(5).Writes);
        Assert.Empty(bus.Chip(3).Writes);
        adcs.ForEach(a => a.Dispose());
    }

    [Fact]
    public async Task A_chip_unplugged_and_plugged_back_is_set_up_again_on_the_read_after_the_fault()
    {
        var chip = new SimulatedNau7802 { ResultWord = 4242 };
        using var adc = Driver(chip);
        await FakeClock.Run(_time, async () => await adc.ReadAsync(CancellationToken.None));

        chip.Absent = true;
        await Assert.ThrowsAsync<HardwareFaultException>(() => FakeClock.Run(_time, async () => await adc.ReadAsync(CancellationToken.None)));
        chip.Absent = false;
        chip.Write([0x00, 0x01]); // the chip comes back from a power cycle in reset
        var writesBefore = chip.Writes.Count;

        var reading = await FakeClock.Run(_time, async () => await adc.ReadAsync(CancellationToken.None));

        Assert.Equal(4242, reading.RawCounts);
        Assert.Contains(((byte)0x00, (byte)0x96), chip.Writes.Skip(writesBefore));
    }
}
