using Iot.Device.Max31856;
using Microsoft.Extensions.Time.Testing;
using Rig.Drivers.Faults;
using Rig.Drivers.TemperatureSensors;
using Rig.Drivers.TemperatureSensors.Max31856;
using Rig.Drivers.Tests.LoadCells;
using UnitsNet;
using Binding = Iot.Device.Max31856.Max31856;

namespace Rig.Drivers.Tests.Thermal;

/// <summary>The MAX31856 driver through the real Iot.Device.Bindings 4.2 binding against the chip's SPI register map.</summary>
public sealed class Max31856TemperatureSensorTests
{
    private const string Device = "max31856@spi0.1";
    private static readonly PlausibleTemperatureRange WideRange = new(Temperature.FromDegreesCelsius(-250), Temperature.FromDegreesCelsius(1400));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));

    private Max31856TemperatureSensor SensorOn(FakeMax31856Spi spi, PlausibleTemperatureRange? range = null) =>
        new(new Binding(spi, ThermocoupleType.K), Device, range ?? PlausibleTemperatureRange.Default, TimeSpan.FromSeconds(1), _time, faultStatusSpi: spi);

    [Fact]
    public void Opening_writes_automatic_conversion_with_open_circuit_detection_and_the_thermocouple_type()
    {
        var spi = new FakeMax31856Spi();

        using var sensor = SensorOn(spi);

        (byte, byte)[] expected =
        [
            (0x00, 0x90), // CR0: CMODE = 1 (automatic conversion, every 100 ms), OCFAULT = 01 (open-circuit detection)
            (0x01, 0x03), // CR1: AVGSEL = 1 sample, TC type = 0011 (K)
        ];
        Assert.Equal(expected, spi.Writes);
    }

    [Fact]
    public async Task Ltcb_0x028000_reads_40_C_stamped_with_the_rig_clock()
    {
        var spi = new FakeMax31856Spi { LinearizedWord = 0x028000, ColdJunctionCelsius = 23 }; // 40 · 128 = 0x1400, << 5
        using var sensor = SensorOn(spi);

        var reading = await sensor.ReadAsync(CancellationToken.None);

        Assert.Equal(Temperature.FromDegreesCelsius(40), reading.Temperature);
        Assert.Equal(_time.GetUtcNow(), reading.Timestamp);
    }

    [Theory]
    [InlineData(0x000020, 0.0078125)] // one LSB
    [InlineData(0x55C000, 1372)] // type K's top
    [InlineData(0xFFFFE0, -0.0078125)]
    [InlineData(0xFFF000, -1)]
    [InlineData(0xFF3800, -12.5)]
    [InlineData(0xF38000, -200)]
    public async Task The_19_bit_twos_complement_linearized_temperature_decodes_exactly_either_side_of_zero(int word, double celsius)
    {
        var spi = new FakeMax31856Spi { LinearizedWord = word };
        using var sensor = SensorOn(spi, WideRange);

        var reading = await sensor.ReadAsync(CancellationToken.None);

        Assert.Equal(Temperature.FromDegreesCelsius(celsius), reading.Temperature);
    }

    [Theory]
    [InlineData(0x01, "D0 OPEN")]
    [InlineData(0x02, "D1 OVUV")]
    [InlineData(0x40, "D6 TC Range")]
    [InlineData(0x80, "D7 CJ Range")]
    public async Task A_fault_status_bit_is_a_sensor_fault_naming_the_bit_even_when_the_temperature_looks_plausible(byte status, string name)
    {
        // An open thermocouple stops conversions: LTCB keeps its last value (or 0 °C from power-on), well inside the range.
        var spi = new FakeMax31856Spi { ThermocoupleCelsius = 40, FaultStatus = status };
        using var sensor = SensorOn(spi);

        var fault = await Assert.ThrowsAsync<HardwareFaultException>(async () => await sensor.ReadAsync(CancellationToken.None));

        Assert.Equal(FaultKind.SensorFault, fault.Kind);
        Assert.Equal(Device, fault.Fault.Device);
        Assert.Contains(name, fault.Fault.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fault_that_clears_gives_readings_again()
    {
        var spi = new FakeMax31856Spi { ThermocoupleCelsius = 40, FaultStatus = 0x01 };
        using var sensor = SensorOn(spi);
        await Assert.ThrowsAsync<HardwareFaultException>(async () => await sensor.ReadAsync(CancellationToken.None));
        spi.FaultStatus = 0; // CR0 FAULT = 0, comparator mode: SR follows the condition

        var reading = await sensor.ReadAsync(CancellationToken.None);

        Assert.Equal(Temperature.FromDegreesCelsius(40), reading.Temperature);
    }

    [Theory]
    [InlineData(0x7FFFE0)] // the top code, +2047.99 °C
    [InlineData(0x800000)] // the bottom code, -2048 °C
    [InlineData(0x0C8000)] // 200 °C with no fault bit: still not a temperature this zone can reach
    public async Task A_temperature_outside_the_zones_plausible_range_is_sensor_out_of_range(int word)
    {
        var spi = new FakeMax31856Spi { LinearizedWord = word };
        using var sensor = SensorOn(spi);

        var fault = await Assert.ThrowsAsync<HardwareFaultException>(async () => await sensor.ReadAsync(CancellationToken.None));

        Assert.Equal(FaultKind.SensorOutOfRange, fault.Kind);
    }

    [Fact]
    public async Task A_bus_that_hangs_is_a_device_timeout_after_the_time_out()
    {
        var spi = new FakeMax31856Spi { ThermocoupleCelsius = 40 };
        using var sensor = SensorOn(spi);
        spi.Hang.Reset();
        try
        {
            var fault = await Assert.ThrowsAsync<HardwareFaultException>(() =>
                FakeClock.Run(_time, async () => await sensor.ReadAsync(CancellationToken.None)));

            Assert.Equal(FaultKind.DeviceTimeout, fault.Kind);
        }
        finally
        {
            spi.Hang.Set();
        }
    }

    [Fact]
    public void Disposing_the_sensor_releases_the_spi_device()
    {
        var spi = new FakeMax31856Spi();
        var sensor = SensorOn(spi);

        sensor.Dispose();

        Assert.True(spi.Disposed);
    }
}
