using Microsoft.Extensions.Logging.Abstractions;
using Rig.Drivers.Faults;
using Rig.Drivers.Potentiostats;
using Rig.Service.Channels;
using Rig.Service.Composition;
using Rig.Service.Interlocks;
using Rig.Service.Tests.Support;

namespace Rig.Service.Tests.Channels;

/// <summary>
/// Issue 14, wedged vs slow. A device call that never returns control (a driver blocking its thread) wedges its loop
/// where no time-out can reach: the watchdog pings stop for it alone, <see cref="StuckLoopWatch"/> declares that
/// channel failed (LoopFailed, alarm), the rig's safe state does not hang on it, and the other channel, merely slow,
/// ticks on. A call that never answers but returns control is cut off by the device time-out and becomes an
/// InstrumentFault (as is a driver's own cancellation). Loops run on their own tasks on a virtual clock.
/// </summary>
public sealed class StuckLoopTests
{
    [Fact]
    public async Task A_loop_wedged_by_a_driver_blocking_its_thread_alone_stops_the_pings_is_declared_failed_and_the_slow_channel_runs_on()
    {
        var rig = new TestRig();
        var timeout = rig.Options.Value.DeviceTimeout;
        using var wedged = new BlockingInstrument(rig.Hardware.Channels["ch1"].Instrument);
        var slow = new SlowInstrument(rig.Hardware.Channels["ch2"].Instrument, rig.Time, timeout * 0.8);
        var hardware = WithInstruments(rig, wedged, slow);
        var raised = new List<RigEvent>();
        rig.Events.Raised += e => { lock (raised) { raised.Add(e); } };
        var watchdog = rig.Watchdog();
        var watch = new StuckLoopWatch(hardware, rig.State, rig.Events, rig.Time, watchdog.StaleAfter, timeout, NullLogger.Instance);
        // ch1's loop runs on a clock of its own, kept in step with the rig's: a virtual clock runs a timer's continuation
        // inside Advance, so the wedged tick blocks whoever advances ch1's clock (a throw-away task here), not the rig's.
        var ch1Clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(rig.Time.GetUtcNow());
        using var stop = new CancellationTokenSource();
        List<Task> loops =
        [
            Task.Run(() => new ChannelLoop(hardware.Channels["ch1"], rig.State, rig.Events, [], ch1Clock, rig.Options.Value.SamplePeriod, timeout, NullLogger.Instance).RunAsync(stop.Token)),
            Task.Run(() => new ChannelLoop(hardware.Channels["ch2"], rig.State, rig.Events, [], rig.Time, rig.Options.Value.SamplePeriod, timeout, NullLogger.Instance).RunAsync(stop.Token)),
        ];
        try
        {
            Func<bool> ch2Settled = () => TickedNow(rig, "ch2")() || slow.Waiting;
            for (var second = 0; second < 10; second++)
            {
                await Task.Run(() => ch1Clock.Advance(TimeSpan.FromSeconds(1))).WaitAsync(TimeSpan.FromSeconds(20));
                await StepAsync(rig, TimeSpan.FromSeconds(1), () => LastTick(rig, "ch1") == ch1Clock.GetUtcNow(), ch2Settled);
            }
            Assert.True(watchdog.CheckAndPing());
            Assert.Empty(watch.Check());

            wedged.Blocked = true; // the next measurement blocks its thread
            for (var second = 0; second < watchdog.StaleAfter.TotalSeconds + 5; second++)
            {
                _ = Task.Run(() => ch1Clock.Advance(TimeSpan.FromSeconds(1))); // never completes once ch1 is wedged inside it
                await StepAsync(rig, TimeSpan.FromSeconds(1), ch2Settled);
            }

            Assert.Equal(["channel ch1"], rig.State.Heartbeat.StaleLoops(rig.Time.GetUtcNow(), watchdog.StaleAfter));
            Assert.False(watchdog.CheckAndPing(), "the pings must stop while a loop is wedged");
            Assert.Equal(["ch1"], watch.Check());
            Assert.Empty(watch.Check()); // declared once
            var held = Assert.Single(rig.State.Interlocks.Active("ch1"));
            Assert.Equal(InterlockKind.LoopFailed, held.Kind);
            Assert.Equal("channel loop", held.Source);
            Assert.Contains("wedged", held.Reason);
            lock (raised)
            {
                Assert.Contains(raised, e => e.Source == "ch1" && e.Code == "channel.loop_stuck" && e.Severity == RigEventSeverity.Alarm);
            }
            Assert.False(watch.LastOffAttempt.IsCompleted, "the off attempt blocks in the wedged driver, on its own thread");
            Assert.Empty(rig.State.Interlocks.Active("ch2"));
            Assert.True(slow.Answered > 5, $"the slow device answered {slow.Answered} times");

            // The rig's safe state does not hang on the wedged driver: ch2 is turned off, ch1 reported unconfirmed.
            var safety = new RigSafety(hardware, rig.Options, rig.Time, NullLogger<RigSafety>.Instance);
            var safe = safety.MakeSafeAsync("test");
            await AdvanceUntil(rig, () => safe.IsCompleted);
            Assert.False(await safe);
            Assert.False(rig.Hardware.Simulation.Instruments["ch2"].OutputOn);

            await StepAsync(rig, TimeSpan.FromSeconds(5), ch2Settled);
            Assert.Equal(["channel ch1"], rig.State.Heartbeat.StaleLoops(rig.Time.GetUtcNow(), watchdog.StaleAfter));
        }
        finally
        {
            wedged.Release();
            await stop.CancelAsync();
            await Task.WhenAll(loops).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    [Fact]
    public async Task A_device_call_that_never_answers_hits_the_device_time_out_and_becomes_an_instrument_fault()
    {
        var rig = new TestRig();
        var loop = rig.Loop("ch1", new HungInstrument());

        var tick = loop.TickAsync(CancellationToken.None); // waits on the rig clock for the answer
        Assert.False(tick.IsCompleted);
        rig.Time.Advance(rig.Options.Value.DeviceTimeout);
        await tick.WaitAsync(TimeSpan.FromSeconds(20));

        var fault = Assert.Single(rig.State.Channel("ch1").Faults);
        Assert.Equal(FaultKind.DeviceTimeout, fault.Kind);
        Assert.Equal("hung-smu", fault.Device);
        var held = Assert.Single(rig.State.Interlocks.Active("ch1"));
        Assert.Equal(InterlockKind.InstrumentFault, held.Kind);
        Assert.Contains("DeviceTimeout", held.Reason);
    }

    [Fact]
    public async Task A_drivers_own_cancellation_is_an_instrument_fault_not_the_end_of_the_loop()
    {
        var rig = new TestRig();
        var loop = rig.Loop("ch1", new CancellingInstrument(rig.Hardware.Channels["ch1"].Instrument));

        await loop.TickAsync(CancellationToken.None); // the old loop let this escape and died

        var held = Assert.Single(rig.State.Interlocks.Active("ch1"));
        Assert.Equal(InterlockKind.InstrumentFault, held.Kind);
        Assert.Contains("TaskCanceledException", held.Reason);
    }

    private static Rig.Service.Hardware.RigHardware WithInstruments(TestRig rig, IPotentiostatChannel ch1, IPotentiostatChannel ch2) =>
        new(new Dictionary<string, Rig.Service.Hardware.ChannelHardware>
        {
            ["ch1"] = rig.Hardware.Channels["ch1"] with { Instrument = ch1 },
            ["ch2"] = rig.Hardware.Channels["ch2"] with { Instrument = ch2 },
        }, rig.Hardware.Zones, rig.Hardware.EmergencyStop, rig.Hardware.Simulation);

    // Advances the clock a second at a time; after each, waits (bounded, real time) until each given loop has settled:
    // ticked at this instant, or is waiting on the clock (the slow device's delay). Its tick runs on the thread pool, so
    // the clock must not run ahead of it; a wedged loop is not waited for.
    private static async Task StepAsync(TestRig rig, TimeSpan duration, params Func<bool>[] settled)
    {
        var end = rig.Time.GetUtcNow() + duration;
        while (rig.Time.GetUtcNow() < end)
        {
            rig.Time.Advance(TimeSpan.FromSeconds(1));
            foreach (var loop in settled)
            {
                try
                {
                    await Eventually.Until(loop);
                }
                catch (OperationCanceledException)
                {
                    Assert.Fail($"a loop did not settle at {rig.Time.GetUtcNow():T}: last ticks {string.Join(", ", rig.State.Heartbeat.LastTicks.Select(t => $"{t.Key} {t.Value:T}"))}");
                }
            }
        }
    }

    private static Func<bool> TickedNow(TestRig rig, string channel) => () => LastTick(rig, channel) == rig.Time.GetUtcNow();

    private static DateTimeOffset? LastTick(TestRig rig, string channel) =>
        rig.State.Heartbeat.LastTicks.TryGetValue(StuckLoopWatch.LoopId(channel), out var at) ? at : null;

    private static async Task AdvanceUntil(TestRig rig, Func<bool> done)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!done())
        {
            rig.Time.Advance(TimeSpan.FromMilliseconds(500));
            await Task.Delay(5, limit.Token);
        }
    }

    /// <summary>A driver that, once <see cref="Blocked"/>, blocks the calling thread in every call (a binding spinning on data-ready).</summary>
    private sealed class BlockingInstrument(IPotentiostatChannel inner) : DelegatingInstrument(inner), IDisposable
    {
        private readonly ManualResetEventSlim _released = new(false);

        public bool Blocked { get; set; }

        public void Release() => _released.Set();

        public void Dispose() => _released.Dispose();

        public override ValueTask<PotentiostatReading> MeasureAsync(CancellationToken cancellationToken)
        {
            Block();
            return base.MeasureAsync(cancellationToken);
        }

        public override ValueTask OutputOffAsync(CancellationToken cancellationToken)
        {
            Block();
            return base.OutputOffAsync(cancellationToken);
        }

        private void Block()
        {
            if (Blocked)
            {
                _released.Wait(); // ignores cancellation, as a blocked syscall does
            }
        }
    }

    /// <summary>A driver whose own read time-out surfaces as a TaskCanceledException (as HttpClient's does).</summary>
    private sealed class CancellingInstrument(IPotentiostatChannel inner) : DelegatingInstrument(inner)
    {
        public override ValueTask<PotentiostatReading> MeasureAsync(CancellationToken cancellationToken) =>
            ValueTask.FromException<PotentiostatReading>(new TaskCanceledException("the driver's own read time-out"));
    }
}
