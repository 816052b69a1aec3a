using Rig.Service.Composition;
using Rig.Service.Interlocks;
using Rig.Service.Tests.Support;

namespace Rig.Service.Tests.Deploy;

/// <summary>
/// Issue 14, no silent failure: the systemd watchdog pings stop only when a loop is truly stuck (SystemdWatchdogTests:
/// a loop hung downstream stops them). A device that hangs asynchronously is cut off by the device time-out (the loop
/// raises the fault and ticks on), and a device that is merely slow keeps the loop ticking: both keep the pings.
/// Channel loops run on their own task on a virtual clock; the test advances it a second at a time.
/// </summary>
public sealed class WatchdogStuckOrSlowTests
{
    [Fact]
    public async Task A_device_hanging_without_blocking_is_cut_off_by_its_time_out_the_fault_is_raised_and_the_pings_go_on()
    {
        var rig = new TestRig();
        using var stop = new CancellationTokenSource();
        var loop = rig.Loop("ch1", new HungInstrument()).RunAsync(stop.Token);
        var watchdog = rig.Watchdog();
        try
        {
            await StepAsync(rig, TimeSpan.FromSeconds(60), watchdog, expectBeats: true);

            Assert.Contains(rig.State.Interlocks.Active("ch1"), i => i.Kind == InterlockKind.InstrumentFault);
            Assert.Empty(rig.State.Heartbeat.StaleLoops(rig.Time.GetUtcNow(), watchdog.StaleAfter));
        }
        finally
        {
            await stop.CancelAsync();
            await loop.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    [Fact]
    public async Task A_merely_slow_device_keeps_the_loop_ticking_and_the_pings_going()
    {
        var rig = new TestRig();
        var slow = new SlowInstrument(rig.Hardware.Channels["ch1"].Instrument, rig.Time, rig.Options.Value.DeviceTimeout * 0.8);
        using var stop = new CancellationTokenSource();
        var loop = rig.Loop("ch1", slow).RunAsync(stop.Token);
        var watchdog = rig.Watchdog();
        try
        {
            await StepAsync(rig, TimeSpan.FromSeconds(60), watchdog, expectBeats: true);

            Assert.True(slow.Answered > 5);
            Assert.DoesNotContain(rig.State.Interlocks.Active("ch1"), i => i.Kind == InterlockKind.InstrumentFault);
        }
        finally
        {
            await stop.CancelAsync();
            await loop.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    // Advances the clock a second at a time; after each second waits (bounded, real time) until the loop's last tick is
    // within the watchdog's stale limit (a loop that ticks on gets there; a stuck one never does), then checks the ping.
    private static async Task StepAsync(TestRig rig, TimeSpan duration, SystemdWatchdog watchdog, bool expectBeats)
    {
        var start = rig.Time.GetUtcNow();
        var end = start + duration;
        while (rig.Time.GetUtcNow() < end)
        {
            rig.Time.Advance(TimeSpan.FromSeconds(1));
            if (expectBeats)
            {
                // Before its first tick ends (a hung device holds it for the device time-out) the loop has not beaten yet.
                await Eventually.Until(() => rig.Time.GetUtcNow() - (Beat(rig, "channel ch1") ?? start) <= watchdog.StaleAfter);
                if (Beat(rig, "channel ch1") is not null)
                {
                    Assert.True(watchdog.CheckAndPing(), $"ping withheld at {rig.Time.GetUtcNow():T}");
                }
            }
        }
    }

    private static DateTimeOffset? Beat(TestRig rig, string loop) =>
        rig.State.Heartbeat.LastTicks.TryGetValue(loop, out var at) ? at : null;
}
