using Microsoft.Extensions.Time.Testing;
using Rig.Drivers.Faults;
using Rig.Drivers.TemperatureSensors;
using Rig.Drivers.TemperatureSensors.Mcp960x;
using Binding = Iot.Device.Mcp960x.Mcp960x;

namespace Rig.Drivers.Tests.Thermal;

public sealed class Mcp960xTemperatureSensorTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero));

    private Mcp960xTemperatureSensor SensorOn(FakeMcp960xI2c i2c) =>
        new(new Binding(i2c), "mcp960x@i2c1/0x60", PlausibleTemperatureRange.Default, TimeSpan.FromSeconds(2), _time);

    [Fact]
    public async Task TH_0x0280_reads_40_C()
    {
        using var i2c = new FakeMcp960xI2c { HotJunctionCelsius = 40 }; // 0x02 x 16 + 0x80 / 16 = 40 °C
        using var sensor = SensorOn(i2c);

        var reading = await sensor.ReadAsync(CancellationToken.None);

        Assert.Equal(40, reading.Temperature.DegreesCelsius, 6);
        Assert.Equal(_time.GetUtcNow(), reading.Timestamp);
    }

    [Theory]
    [InlineData(0x10, "open circuit")]
    [InlineData(0x20, "short circuit")]
    public async Task The_open_and_short_status_bits_are_sensor_faults(byte status, string name)
    {
        using var i2c = new FakeMcp960xI2c { HotJunctionCelsius = 40, Status = status };
        using var sensor = SensorOn(i2c);

        var ex = await Assert.ThrowsAsync<HardwareFaultException>(() => sensor.ReadAsync(CancellationToken.None).AsTask());

        Assert.Equal(FaultKind.SensorFault, ex.Kind);
        Assert.Contains(name, ex.Fault.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_conversion_complete_bit_alone_is_not_a_fault()
    {
        using var i2c = new FakeMcp960xI2c { HotJunctionCelsius = 39.5, Status = 0x40 };
        using var sensor = SensorOn(i2c);

        var reading = await sensor.ReadAsync(CancellationToken.None);

        Assert.Equal(39.5, reading.Temperature.DegreesCelsius, 6);
    }
}
