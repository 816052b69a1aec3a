using Iot.Device.Max31865;
using Microsoft.Extensions.Time.Testing;
using Rig.Drivers.Faults;
using Rig.Drivers.TemperatureSensors;
using Rig.Drivers.TemperatureSensors.Max31865;
using UnitsNet;
using Binding = Iot.Device.Max31865.Max31865;

namespace Rig.Drivers.Tests.Thermal;

public sealed class Max31865TemperatureSensorTests
{
    private const double ReferenceOhms = 430;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero));

    private Max31865TemperatureSensor SensorOn(FakeMax31865Spi spi) =>
        new(new Binding(spi, PlatinumResistanceThermometerType.Pt100, ResistanceTemperatureDetectorWires.ThreeWire,
                ElectricResistance.FromOhms(ReferenceOhms), ConversionFilterMode.Filter50Hz, shouldDispose: false),
            "max31865@spi0.0", PlausibleTemperatureRange.Default, TimeSpan.FromSeconds(2), _time);

    [Fact]
    public async Task A_PT100_at_115_54_ohms_reads_40_C_stamped_with_the_rig_clock()
    {
        // Callendar-Van Dusen, IEC 60751: R(40 °C) = 100 (1 + 3.9083e-3·40 - 5.775e-7·40²) = 115.5408 Ω
        using var spi = new FakeMax31865Spi(ReferenceOhms) { RtdOhms = 115.5408 };
        using var sensor = SensorOn(spi);

        var reading = await sensor.ReadAsync(CancellationToken.None);

        Assert.Equal(40, reading.Temperature.DegreesCelsius, 0.05); // one LSB = 430/32768 Ω ≈ 0.034 K
        Assert.Equal(_time.GetUtcNow(), reading.Timestamp);
        Assert.Equal(1, spi.Conversions);
    }

    [Theory]
    [InlineData(0x80, "D7 RTD high threshold")]
    [InlineData(0x40, "D6 RTD low threshold")]
    [InlineData(0x20, "D5 REFIN- > 0.85 x VBIAS")]
    [InlineData(0x10, "D4 REFIN- < 0.85 x VBIAS")]
    [InlineData(0x08, "D3 RTDIN- < 0.85 x VBIAS")]
    [InlineData(0x04, "D2 over/under-voltage")]
    public async Task Each_fault_status_bit_is_a_sensor_fault_that_names_the_bit(byte statusBit, string name)
    {
        using var spi = new FakeMax31865Spi(ReferenceOhms) { RtdOhms = 115.5408, FaultOnConversion = statusBit };
        using var sensor = SensorOn(spi);

        var ex = await Assert.ThrowsAsync<HardwareFaultException>(() => sensor.ReadAsync(CancellationToken.None).AsTask());

        Assert.Equal(FaultKind.SensorFault, ex.Kind);
        Assert.Equal("max31865@spi0.0", ex.Fault.Device);
        Assert.Contains(name, ex.Fault.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fault_that_goes_away_is_cleared_before_the_next_conversion()
    {
        using var spi = new FakeMax31865Spi(ReferenceOhms) { RtdOhms = 115.5408, FaultOnConversion = 0x80 };
        using var sensor = SensorOn(spi);
        await Assert.ThrowsAsync<HardwareFaultException>(() => sensor.ReadAsync(CancellationToken.None).AsTask());

        spi.FaultOnConversion = 0;
        var reading = await sensor.ReadAsync(CancellationToken.None);

        Assert.Equal(40, reading.Temperature.DegreesCelsius, 0.05);
    }

    [Fact]
    public async Task A_shorted_PT100_reads_out_of_range()
    {
        using var spi = new FakeMax31865Spi(ReferenceOhms) { RtdOhms = 1 };
        using var sensor = SensorOn(spi);

        var ex = await Assert.ThrowsAsync<HardwareFaultException>(() => sensor.ReadAsync(CancellationToken.None).AsTask());

        Assert.Equal(FaultKind.SensorOutOfRange, ex.Kind);
    }

    [Fact]
    public async Task A_hung_bus_is_a_time_out_on_the_rig_clock_and_the_next_read_is_refused_at_once()
    {
        using var spi = new FakeMax31865Spi(ReferenceOhms) { RtdOhms = 115.5408 };
        using var sensor = SensorOn(spi);
        spi.Hang.Reset();

        var first = sensor.ReadAsync(CancellationToken.None).AsTask(); // its time-out timer exists once this returns
        Assert.False(first.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(2));
        var timeout = await Assert.ThrowsAsync<HardwareFaultException>(() => first);
        var refused = await Assert.ThrowsAsync<HardwareFaultException>(() => sensor.ReadAsync(CancellationToken.None).AsTask());

        Assert.Equal(FaultKind.DeviceTimeout, timeout.Kind);
        Assert.Equal(FaultKind.DeviceTimeout, refused.Kind);
        Assert.Contains("previous read", refused.Fault.Message, StringComparison.Ordinal);
        spi.Hang.Set();
    }
}
