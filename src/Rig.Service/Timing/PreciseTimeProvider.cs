using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Rig.Service.Timing;

/// <summary>
/// The rig's clock in the shipped service: the system's clock and timestamps, with timers that fire within a fraction
/// of a millisecond of their due time instead of the system timer queue's several milliseconds.
/// <para>
/// Why: .NET's timer queue counts time in <see cref="Environment.TickCount64"/>, which on Linux reads the coarse
/// monotonic clock (one kernel tick, 4 ms at 250 Hz), and wakes on a millisecond wait; a loop on
/// <c>Task.Delay(…, TimeProvider.System)</c> showed p99 period jitter of 8-12 ms on an idle 2-core VM where a thread
/// on <c>clock_nanosleep</c> showed 0.38 ms (docs/benchmarks.md). Every rig wait goes through
/// <see cref="TimeProvider.CreateTimer"/> (<c>Task.Delay(TimeSpan, TimeProvider)</c>,
/// <c>new CancellationTokenSource(TimeSpan, TimeProvider)</c>, <see cref="Channels.PeriodicLoop"/>), so registering this
/// provider makes them all precise, while tests keep their virtual clocks (FakeTimeProvider).
/// </para>
/// <para>
/// How: one background thread keeps the timers in a deadline heap on <see cref="System.Diagnostics.Stopwatch"/>
/// timestamps (CLOCK_MONOTONIC) and waits, outside its lock, on one <c>poll</c> of a timerfd armed to the earliest
/// deadline (TFD_TIMER_ABSTIME: the kernel's hrtimer, no millisecond rounding) and an eventfd that a sooner timer writes
/// (<see cref="TimerFdWait"/> says why this and not clock_nanosleep), then hands each due callback to the thread pool,
/// so a slow callback never delays another timer. A timer armed at any moment, even just before the deadline being
/// waited for, ends the wait. Off Linux, or if a call of that wait fails (e.g. a seccomp filter without @timer), the
/// thread waits on a monitor in whole milliseconds instead, logs why once (warning) and goes on. The thread starts
/// with the first timer and ends after <see cref="IdleExit"/> without one: nothing to dispose.
/// </para>
/// <para>
/// The timers keep <see cref="ITimer"/>'s contract as <see cref="TimeProvider.System"/> does: the same argument
/// limits (−1 ms is infinite; up to 4,294,967,294 ms), an infinite period or one under 1 ms is one-shot, <c>Change</c>
/// re-arms from now and returns false once disposed, no callback starts after <c>Dispose</c> returns,
/// <c>DisposeAsync</c> also waits for the callbacks running, the execution context flows unless suppressed, a timer
/// dropped without <c>Dispose</c> keeps firing (<see cref="PreciseTimer"/> says why). One
/// difference: due times, and periods of 1 ms or more, keep their sub-millisecond part (the system truncates them to
/// whole milliseconds).
/// </para>
/// </summary>
public sealed class PreciseTimeProvider : TimeProvider
{
    /// <summary>How long the timer thread lingers with no timer before it ends (the next timer starts a new one).</summary>
    public static readonly TimeSpan IdleExit = TimeSpan.FromSeconds(10);

    private readonly TimerScheduler _scheduler;

    /// <param name="logger">Told (once, a warning) if the timers fall back to millisecond waits.</param>
    public PreciseTimeProvider(ILogger<PreciseTimeProvider>? logger = null)
        : this(IdleExit, TimerFdWait.Open, logger)
    {
    }

    /// <summary>For tests: a shorter idle exit (to see the thread end and start again), another wait (to see it fail).</summary>
    internal PreciseTimeProvider(TimeSpan idleExit, Func<IDeadlineWait> openWait, ILogger? logger = null) =>
        _scheduler = new TimerScheduler(idleExit, openWait, logger ?? NullLogger.Instance);

    internal TimerScheduler Scheduler => _scheduler;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        TimerArguments.Validate(dueTime, period);
        var timer = new PreciseTimer(_scheduler, callback, state, ExecutionContext.Capture());
        timer.Change(dueTime, period);
        return timer;
    }
}
