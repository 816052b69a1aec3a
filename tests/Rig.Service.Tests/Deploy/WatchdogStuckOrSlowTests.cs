using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging.Abstractions;
using Rig.Drivers.Potentiostats;
using Rig.Service.Channels;
using Rig.Service.Composition;
using Rig.Service.Interlocks;
using Rig.Service.Tests.Support;
using UnitsNet;

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
        var loop = Loop(rig, "ch1", new HungInstrument()).RunAsync(stop.Token);
        var (watchdog, _) = Watchdog(rig);
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
        var loop = Loop(rig, "ch1", slow).RunAsync(stop.Token);
        var (watchdog, _) = Watchdog(rig);
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
                await Until(() => rig.Time.GetUtcNow() - (Beat(rig, "channel ch1") ?? start) <= watchdog.StaleAfter);
                if (Beat(rig, "channel ch1") is not null)
                {
                    Assert.True(watchdog.CheckAndPing(), $"ping withheld at {rig.Time.GetUtcNow():T}");
                }
            }
        }
    }

    private static DateTimeOffset? Beat(TestRig rig, string loop) =>
        rig.State.Heartbeat.LastTicks.TryGetValue(loop, out var at) ? at : null;

    private static ChannelLoop Loop(TestRig rig, string channel, IPotentiostatChannel instrument) =>
        new(rig.Hardware.Channels[channel] with { Instrument = instrument }, rig.State, rig.Events, [], rig.Time,
            rig.Options.Value.SamplePeriod, rig.Options.Value.DeviceTimeout, NullLogger.Instance);

    private static (SystemdWatchdog Watchdog, CountingNotifier Notifier) Watchdog(TestRig rig)
    {
        var notifier = new CountingNotifier();
        var services = new ServiceCollection().AddSingleton<ISystemdNotifier>(notifier).BuildServiceProvider();
        return (new SystemdWatchdog(services, rig.State, rig.Options, rig.Time, new SystemdWatchdogTimeout(TimeSpan.FromSeconds(30)),
            NullLogger<SystemdWatchdog>.Instance), notifier);
    }

    // The loops run on the thread pool after a virtual-clock step: wait (bounded, real time) for them to act.
    private static async Task Until(Func<bool> condition)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            await Task.Delay(2, limit.Token);
        }
    }

    private sealed class CountingNotifier : ISystemdNotifier
    {
        private int _pings;

        public bool IsEnabled => true;

        public int Pings => Volatile.Read(ref _pings);

        public void Notify(ServiceState state)
        {
            if (state.ToString() == "WATCHDOG=1")
            {
                Interlocked.Increment(ref _pings);
            }
        }
    }

    /// <summary>The simulated instrument, each measurement taking <paramref name="delay"/> of rig time (within the device time-out).</summary>
    private sealed class SlowInstrument(IPotentiostatChannel inner, TimeProvider time, TimeSpan delay) : IPotentiostatChannel
    {
        private int _answered;

        public int Answered => Volatile.Read(ref _answered);

        public string Device => inner.Device;

        public InstrumentCapabilities Capabilities => inner.Capabilities;

        public ValueTask<InstrumentIdentity> IdentifyAsync(CancellationToken cancellationToken) => inner.IdentifyAsync(cancellationToken);

        public ValueTask SourceCurrentAsync(ElectricCurrent current, ElectricPotential voltageLimit, CancellationToken cancellationToken) =>
            inner.SourceCurrentAsync(current, voltageLimit, cancellationToken);

        public ValueTask SourceVoltageAsync(ElectricPotential voltage, ElectricCurrent currentLimit, CancellationToken cancellationToken) =>
            inner.SourceVoltageAsync(voltage, currentLimit, cancellationToken);

        public async ValueTask<PotentiostatReading> MeasureAsync(CancellationToken cancellationToken)
        {
            await Task.Delay(delay, time, cancellationToken);
            Interlocked.Increment(ref _answered);
            return await inner.MeasureAsync(cancellationToken);
        }

        public ValueTask OutputOffAsync(CancellationToken cancellationToken) => inner.OutputOffAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
