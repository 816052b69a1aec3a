using Microsoft.Extensions.Time.Testing;
using Rig.Drivers.Faults;
using Rig.Drivers.LoadCells;

namespace Rig.Drivers.Tests.LoadCells;

public class BlockingBridgeAdcTests
{
    [Fact]
    public async Task A_binding_that_never_returns_becomes_a_timeout_and_the_next_read_fails_at_once()
    {
        var time = new FakeTimeProvider();
        using var release = new ManualResetEventSlim();
        using var adc = new BlockingBridgeAdc(() => { release.Wait(); return 1; }, "hx711@gpio5/6", 2147, TimeSpan.FromMilliseconds(200), time);

        var first = await Assert.ThrowsAsync<HardwareFaultException>(() => FakeClock.Run(time, async () => await adc.ReadAsync(CancellationToken.None)));
        var second = await Assert.ThrowsAsync<HardwareFaultException>(async () => await adc.ReadAsync(CancellationToken.None));
        release.Set();

        Assert.Equal(FaultKind.DeviceTimeout, first.Kind);
        Assert.Equal(FaultKind.DeviceTimeout, second.Kind);
        Assert.Contains("still not returned", second.Fault.Message);
    }

    [Fact]
    public async Task A_binding_that_answers_returns_its_counts_with_the_rig_time()
    {
        var time = new FakeTimeProvider();
        using var adc = new BlockingBridgeAdc(() => -42, "ads1115@0x48", 100, TimeSpan.FromSeconds(1), time);

        var reading = await FakeClock.Run(time, async () => await adc.ReadAsync(CancellationToken.None));

        Assert.Equal(-42, reading.RawCounts);
    }
}
