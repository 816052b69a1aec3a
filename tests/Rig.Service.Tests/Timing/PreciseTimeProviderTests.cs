using System.Diagnostics;
using CsCheck;
using Rig.Service.Timing;

namespace Rig.Service.Tests.Timing;

/// <summary>
/// <see cref="PreciseTimeProvider"/>'s timers against <see cref="ITimer"/>'s contract and the system timers' behaviour,
/// on the real clock. Only invariants are asserted (never before the due time, never after Dispose, the same argument
/// rules as the system's); how precise the firings are is measured by the bench (bench/Rig.Bench, datapath), not here.
/// </summary>
public sealed class PreciseTimeProviderTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly PreciseTimeProvider _time = new();

    [Fact]
    public void Timers_never_fire_before_their_due_time_by_the_monotonic_clock()
    {
        // Several timers armed together, due 0-20 ms apart to the microsecond (the heap orders them; each must wait its own).
        Gen.Int[0, 20_000].Array[1, 8].Sample(dues =>
        {
            var fired = new long[dues.Length];
            var done = new CountdownEvent(dues.Length);
            var armed = new long[dues.Length];
            var timers = new List<ITimer>();
            for (var i = 0; i < dues.Length; i++)
            {
                var index = i;
                armed[i] = Stopwatch.GetTimestamp();
                timers.Add(_time.CreateTimer(_ =>
                {
                    fired[index] = Stopwatch.GetTimestamp();
                    done.Signal();
                }, null, Microseconds(dues[i]), Timeout.InfiniteTimeSpan));
            }
            Assert.True(done.Wait(Patience), "every timer fired");
            for (var i = 0; i < dues.Length; i++)
            {
                Assert.True(Stopwatch.GetElapsedTime(armed[i], fired[i]) >= Microseconds(dues[i]), $"timer {i} due after {dues[i]} µs fired after {Stopwatch.GetElapsedTime(armed[i], fired[i]).TotalMicroseconds:0} µs");
            }
            timers.ForEach(t => t.Dispose());
        }, iter: 40);
    }

    [Fact]
    public void A_periodic_timer_fires_no_sooner_than_its_due_time_plus_whole_periods()
    {
        Gen.Select(Gen.Int[0, 5_000], Gen.Int[1_000, 10_000]).Sample((due, period) =>
        {
            var firings = new List<long>();
            var five = new ManualResetEventSlim();
            var armed = Stopwatch.GetTimestamp();
            using var timer = _time.CreateTimer(_ =>
            {
                lock (firings)
                {
                    firings.Add(Stopwatch.GetTimestamp());
                    if (firings.Count == 5)
                    {
                        five.Set();
                    }
                }
            }, null, Microseconds(due), Microseconds(period));
            Assert.True(five.Wait(Patience), "five firings");
            timer.Dispose();
            lock (firings)
            {
                var ordered = firings.Order().ToList();
                for (var k = 0; k < 5; k++)
                {
                    Assert.True(Stopwatch.GetElapsedTime(armed, ordered[k]) >= Microseconds(due + (k * period)), $"firing {k} came early");
                }
            }
        }, iter: 20);
    }

    [Fact]
    public void No_callback_starts_after_Dispose_returns_and_those_already_started_are_waited_for_by_DisposeAsync()
    {
        // Due times and dispose moments around each other, one-shot and periodic, so Dispose races the firing.
        Gen.Select(Gen.Int[0, 2_000], Gen.Int[0, 3_000], Gen.Bool).Sample((due, disposeAfter, periodic) =>
        {
            var disposed = 0;
            var late = 0;
            var armed = Stopwatch.GetTimestamp();
            var timer = _time.CreateTimer(_ =>
            {
                if (Volatile.Read(ref disposed) == 1)
                {
                    Interlocked.Increment(ref late);
                }
            }, null, Microseconds(due), periodic ? TimeSpan.FromMilliseconds(1) : Timeout.InfiniteTimeSpan);
            while (Stopwatch.GetElapsedTime(armed) < Microseconds(disposeAfter))
            {
                Thread.SpinWait(20);
            }
            timer.Dispose();
            // A callback that got past the timer's own check before Dispose may not have reached its first line yet
            // (preempted): DisposeAsync waits for exactly those. Any callback starting after it is one Dispose let through.
            Assert.True(timer.DisposeAsync().AsTask().Wait(Patience));
            Volatile.Write(ref disposed, 1);
            Thread.Sleep(10);
            Assert.Equal(0, Volatile.Read(ref late));
        }, iter: 60);
    }

    [Fact]
    public async Task Change_rearms_from_now_and_an_infinite_due_time_stops_the_timer()
    {
        var firings = 0;
        var fired = new SemaphoreSlim(0);
        using var timer = _time.CreateTimer(_ =>
        {
            Interlocked.Increment(ref firings);
            fired.Release();
        }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        await Task.Delay(30);
        Assert.Equal(0, Volatile.Read(ref firings));

        var changed = Stopwatch.GetTimestamp();
        Assert.True(timer.Change(TimeSpan.FromMilliseconds(5), Timeout.InfiniteTimeSpan));
        Assert.True(await fired.WaitAsync(Patience));
        Assert.True(Stopwatch.GetElapsedTime(changed) >= TimeSpan.FromMilliseconds(5));

        Assert.True(timer.Change(TimeSpan.Zero, TimeSpan.FromMilliseconds(2)));
        Assert.True(await fired.WaitAsync(Patience));
        Assert.True(await fired.WaitAsync(Patience));
        Assert.True(timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan));
        // Firings handed to the thread pool before the Change may still run (as with the system timers), however late a
        // loaded machine runs them: the count must come to rest, and a timer still firing every 2 ms never would.
        var waited = Stopwatch.StartNew();
        int before, after;
        do
        {
            before = Volatile.Read(ref firings);
            await Task.Delay(100);
            after = Volatile.Read(ref firings);
        }
        while (after != before && waited.Elapsed < Patience);
        Assert.Equal(before, after);
    }

    [Fact]
    public void Change_returns_true_until_the_timer_is_disposed_then_false_as_the_system_timers_do()
    {
        static string Outcomes(TimeProvider time)
        {
            var timer = time.CreateTimer(_ => { }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            var before = timer.Change(TimeSpan.FromHours(1), Timeout.InfiniteTimeSpan);
            timer.Dispose();
            timer.Dispose(); // twice: no throw
            string after;
            try
            {
                after = timer.Change(TimeSpan.FromHours(1), Timeout.InfiniteTimeSpan).ToString();
            }
            catch (Exception e)
            {
                after = e.GetType().Name;
            }
            return $"{before} {after}";
        }

        Assert.Equal(Outcomes(TimeProvider.System), Outcomes(_time));
        Assert.Equal("True False", Outcomes(_time));
    }

    [Fact]
    public void Due_time_and_period_limits_are_the_system_timers()
    {
        long[] edges = [-TimeSpan.TicksPerMillisecond * 2, -TimeSpan.TicksPerMillisecond - 1, -TimeSpan.TicksPerMillisecond, -TimeSpan.TicksPerMillisecond + 1, -1, 0, 1,
            TimerArgumentsMaxTicks - 1, TimerArgumentsMaxTicks, TimerArgumentsMaxTicks + TimeSpan.TicksPerMillisecond - 1, TimerArgumentsMaxTicks + TimeSpan.TicksPerMillisecond, TimeSpan.MaxValue.Ticks, TimeSpan.MinValue.Ticks];
        var span = Gen.OneOf(Gen.Int[0, edges.Length - 1].Select(i => edges[i]), Gen.Long[-TimeSpan.TicksPerMillisecond * 3, TimeSpan.TicksPerMillisecond * 3], Gen.Long).Select(TimeSpan.FromTicks);
        Gen.Select(span, span).Sample((due, period) =>
        {
            // Hours or more would leave a system timer armed: the outcome is read from creation, then disposed at once.
            Assert.Equal(Create(TimeProvider.System, due, period), Create(_time, due, period));
            Assert.Equal(Change(TimeProvider.System, due, period), Change(_time, due, period));
        }, iter: 2_000);

        static string Create(TimeProvider time, TimeSpan due, TimeSpan period)
        {
            try
            {
                time.CreateTimer(_ => { }, null, due, period).Dispose();
                return "ok";
            }
            catch (Exception e)
            {
                return $"{e.GetType().Name} {(e as ArgumentException)?.ParamName}";
            }
        }

        static string Change(TimeProvider time, TimeSpan due, TimeSpan period)
        {
            using var timer = time.CreateTimer(_ => { }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            try
            {
                var changed = timer.Change(due, period);
                timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                return changed.ToString();
            }
            catch (Exception e)
            {
                return $"{e.GetType().Name} {(e as ArgumentException)?.ParamName}";
            }
        }
    }

    [Fact]
    public async Task A_period_under_one_millisecond_is_one_shot_as_in_the_system_timers()
    {
        // Kept as a 100 ns or 0.5 ms period, the timer was due again before its hand-off ran: the timer thread
        // collected it over and over holding its lock (a test host grew to 23 GB and was killed by the OOM killer).
        foreach (var period in new[] { TimeSpan.FromTicks(1), TimeSpan.FromTicks(1_000), TimeSpan.FromMilliseconds(0.5), TimeSpan.FromTicks(TimeSpan.TicksPerMillisecond - 1) })
        {
            Assert.Equal(await Firings(TimeProvider.System, period), await Firings(_time, period));
            Assert.Equal(1, await Firings(_time, period));
        }

        static async Task<int> Firings(TimeProvider time, TimeSpan period)
        {
            var firings = 0;
            using (time.CreateTimer(_ => Interlocked.Increment(ref firings), null, TimeSpan.Zero, period))
            {
                await Task.Delay(50);
            }
            return Volatile.Read(ref firings);
        }
    }

    [Fact]
    public async Task The_execution_context_flows_into_the_callback_unless_suppressed()
    {
        var local = new AsyncLocal<string>{ Value = "armed here" };
        var seen = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var flowing = _time.CreateTimer(_ => seen.TrySetResult(local.Value), null, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        Assert.Equal("armed here", await seen.Task.WaitAsync(Patience));

        var suppressedSeen = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        ITimer suppressed;
        using (ExecutionContext.SuppressFlow())
        {
            suppressed = _time.CreateTimer(_ => suppressedSeen.TrySetResult(local.Value), null, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
        Assert.Null(await suppressedSeen.Task.WaitAsync(Patience));
        suppressed.Dispose();
    }

    [Fact]
    public async Task DisposeAsync_waits_for_the_callback_running()
    {
        var entered = new ManualResetEventSlim();
        var release = new ManualResetEventSlim();
        var finished = false;
        var timer = _time.CreateTimer(_ =>
        {
            entered.Set();
            release.Wait(Patience);
            Volatile.Write(ref finished, true);
        }, null, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        Assert.True(entered.Wait(Patience));
        var disposing = timer.DisposeAsync().AsTask();
        await Task.Delay(20);
        Assert.False(disposing.IsCompleted);
        release.Set();
        await disposing.WaitAsync(Patience);
        Assert.True(Volatile.Read(ref finished));
        await timer.DisposeAsync(); // again, nothing running: at once
    }

    [Fact]
    public async Task A_blocked_callback_does_not_hold_up_the_other_timers()
    {
        var release = new ManualResetEventSlim();
        var other = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var blocking = _time.CreateTimer(_ => release.Wait(Patience), null, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        using var next = _time.CreateTimer(_ => other.TrySetResult(), null, TimeSpan.FromMilliseconds(5), Timeout.InfiniteTimeSpan);
        await other.Task.WaitAsync(Patience);
        release.Set();
    }

    [Fact]
    public async Task Task_Delay_and_CancellationTokenSource_wait_on_it()
    {
        var started = Stopwatch.GetTimestamp();
        await Task.Delay(TimeSpan.FromMilliseconds(3), _time).WaitAsync(Patience);
        Assert.True(Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(3));

        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(5), _time);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task.Delay(TimeSpan.FromHours(1), _time, timeout.Token).WaitAsync(Patience));
    }

    [Fact]
    public void The_heap_stays_bounded_when_timers_are_armed_and_dropped_over_and_over()
    {
        // As every cancelled Task.Delay or CancelAfter does: an hour-long timer armed and dropped. The entries they leave
        // behind are compacted, not kept for the hour.
        for (var i = 0; i < 10_000; i++)
        {
            using var timer = _time.CreateTimer(_ => { }, null, TimeSpan.FromHours(1), Timeout.InfiniteTimeSpan);
            timer.Change(TimeSpan.FromHours(2), Timeout.InfiniteTimeSpan);
        }
        Assert.InRange(_time.Scheduler.Entries, 0, 200);
    }

    [Fact]
    public async Task The_thread_ends_when_idle_and_the_next_timer_starts_it_again()
    {
        var time = new PreciseTimeProvider(TimeSpan.FromMilliseconds(50), TimerFdWait.Open);
        for (var round = 0; round < 3; round++)
        {
            // Each round's delay completes only if the timer thread (ended by the round before) started again.
            await Task.Delay(TimeSpan.FromMilliseconds(1), time).WaitAsync(Patience);
            var waited = Stopwatch.StartNew();
            while (time.Scheduler.ThreadRunning && waited.Elapsed < Patience)
            {
                await Task.Delay(10);
            }
            Assert.False(time.Scheduler.ThreadRunning);
        }
    }

    private static TimeSpan Microseconds(int microseconds) => TimeSpan.FromTicks(microseconds * 10L);

    private static readonly long TimerArgumentsMaxTicks = 0xFFFFFFFEL * TimeSpan.TicksPerMillisecond;
}
