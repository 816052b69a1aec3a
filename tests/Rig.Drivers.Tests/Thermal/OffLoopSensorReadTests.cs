using Microsoft.Extensions.Time.Testing;
using Rig.Drivers.Faults;
using Rig.Drivers.TemperatureSensors;

namespace Rig.Drivers.Tests.Thermal;

public sealed class OffLoopSensorReadTests
{
    [Fact]
    public async Task A_blocking_read_does_not_block_the_caller()
    {
        var read = new OffLoopSensorRead("probe", TimeSpan.FromSeconds(1), new FakeTimeProvider(), "wiring");
        using var conversionDone = new ManualResetEventSlim();

        var pending = read.RunAsync(() => { conversionDone.Wait(); return 42; }, CancellationToken.None);

        Assert.False(pending.IsCompleted); // the caller got control back while the binding still blocks
        conversionDone.Set();
        Assert.Equal(42, await pending);
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
