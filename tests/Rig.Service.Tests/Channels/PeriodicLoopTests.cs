using Microsoft.Extensions.Time.Testing;
using Rig.Service.Channels;

namespace Rig.Service.Tests.Channels;

/// <summary>
/// The rig loops' schedule on a virtual clock whose timers fire late, as real ones do (a few ms on a busy machine):
/// ticks stay on the grid start + n × period instead of drifting by each firing's lateness.
/// </summary>
public sealed class PeriodicLoopTests
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Late = TimeSpan.FromMilliseconds(3);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Ticks_stay_on_the_grid_when_every_timer_fires_late()
    {
        var clock = new LateTimers(new FakeTimeProvider(DateTimeOffset.Parse("2026-02-01T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture)), Late);
        var start = clock.GetTimestamp();
        var ticks = new List<TimeSpan>();
        var ticked = new SemaphoreSlim(0);
        using var stop = new CancellationTokenSource();
        var loop = PeriodicLoop.RunAsync(Period, clock, _ =>
        {
            lock (ticks)
            {
                ticks.Add(clock.GetElapsedTime(start));
            }
            ticked.Release();
            return Task.CompletedTask;
        }, stop.Token);
        Assert.True(await ticked.WaitAsync(Patience));

        // 20 periods in 1 ms steps, each step only once the loop waits on a timer and has run the tick it fired.
        for (var step = 0; step < 20 * Period.TotalMilliseconds; step++)
        {
            Assert.True(SpinWait.SpinUntil(() => clock.Armed, Patience), "the loop never waited for its next tick");
            var fired = clock.Fired;
            clock.Advance(TimeSpan.FromMilliseconds(1));
            if (clock.Fired != fired)
            {
                Assert.True(await ticked.WaitAsync(Patience), "a fired timer ran no tick");
            }
        }
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop);

        List<TimeSpan> seen;
        lock (ticks)
        {
            seen = [.. ticks];
        }
        Assert.True(seen.Count >= 20, $"{seen.Count} ticks");
        for (var n = 0; n < seen.Count; n++)
        {
            // On the grid, at most one firing's lateness after it (a PeriodicTimer re-armed from each late firing: tick n at n × 103 ms).
            Assert.InRange(seen[n], n * Period, (n * Period) + Late);
        }
    }

    [Theory]
    [InlineData(0, 50, 1)]    // on time: the next grid point
    [InlineData(0, 150, 1)]   // the tick overran its period: the next one at once
    [InlineData(3, 420, 4)]
    [InlineData(3, 790, 7)]   // a whole period or more behind: the grid points missed are skipped, the last passed runs at once
    [InlineData(0, 1000, 10)]
    public void Next_tick_after_an_overrun_runs_once_at_once_and_skips_the_missed_grid_points(long done, int elapsedMs, long next) =>
        Assert.Equal(next, PeriodicLoop.NextTick(done, TimeSpan.FromMilliseconds(elapsedMs), Period));

    /// <summary>A virtual clock whose timers fire <c>late</c> after they are due, every time (a periodic one drifts).</summary>
    private sealed class LateTimers(FakeTimeProvider inner, TimeSpan late) : TimeProvider
    {
        private readonly TimeSpan _late = late;
        private int _armed;
        private int _fired;

        public bool Armed => Volatile.Read(ref _armed) > 0;

        public int Fired => Volatile.Read(ref _fired);

        public void Advance(TimeSpan by) => inner.Advance(by);

        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

        public override long GetTimestamp() => inner.GetTimestamp();

        public override long TimestampFrequency => inner.TimestampFrequency;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = new LateTimer(this, callback, state, period);
            timer.Inner = inner.CreateTimer(timer.Fire, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            timer.Change(dueTime, period);
            return timer;
        }

        private sealed class LateTimer(LateTimers owner, TimerCallback callback, object? state, TimeSpan period) : ITimer
        {
            private TimeSpan _period = period;
            private bool _armed;

            public ITimer Inner { get; set; } = null!;

            public void Fire(object? _)
            {
                lock (this)
                {
                    if (_period == Timeout.InfiniteTimeSpan && _armed)
                    {
                        _armed = false;
                        Interlocked.Decrement(ref owner._armed);
                    }
                }
                Interlocked.Increment(ref owner._fired);
                callback(state);
            }

            public bool Change(TimeSpan dueTime, TimeSpan period)
            {
                lock (this)
                {
                    _period = period;
                    var arm = dueTime != Timeout.InfiniteTimeSpan;
                    if (arm != _armed)
                    {
                        _armed = arm;
                        Interlocked.Add(ref owner._armed, arm ? 1 : -1);
                    }
                    return Inner.Change(arm ? dueTime + owner._late : dueTime, period == Timeout.InfiniteTimeSpan ? period : period + owner._late);
                }
            }

            public void Dispose()
            {
                Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                Inner.Dispose();
            }

            public ValueTask DisposeAsync()
            {
                Dispose();
                return ValueTask.CompletedTask;
            }
        }
    }
}
