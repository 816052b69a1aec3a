using Microsoft.Extensions.Time.Testing;
using Rig.Drivers.Faults;
using Rig.Drivers.TemperatureSensors;

namespace Rig.Drivers.Tests.Thermal;

public sealed class OffLoopSensorReadTests
{
    [Fact]
    public async Task A_blocking_read_runs_off_the_callers_thread()
    {
        var read = new OffLoopSensorRead("probe", TimeSpan.FromSeconds(1), new FakeTimeProvider(), "wiring");
        var caller = Environment.CurrentManagedThreadId;

        var readerThread = await read.RunAsync(() => Environment.CurrentManagedThreadId, CancellationToken.None);

        Assert.NotEqual(caller, readerThread);
    }

    [Fact]
    public async Task A_bus_error_is_a_device_not_responding_fault()
    {
        var read = new OffLoopSensorRead("mcp960x@i2c1/0x60", TimeSpan.FromSeconds(1), new FakeTimeProvider(), "wiring");

        var ex = await Assert.ThrowsAsync<HardwareFaultException>(
            () => read.RunAsync<int>(() => throw new IOException("Error 121 performing I2C data transfer."), CancellationToken.None).AsTask());

        Assert.Equal(FaultKind.DeviceNotResponding, ex.Kind);
        Assert.Equal("mcp960x@i2c1/0x60", ex.Fault.Device);
    }
}
