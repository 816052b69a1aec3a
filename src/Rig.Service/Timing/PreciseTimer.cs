using System.Diagnostics;

namespace Rig.Service.Timing;

/// <summary>
/// One timer of <see cref="PreciseTimeProvider"/>. Its state changes under the scheduler's lock; each arming gets a
/// new generation, so an entry left in the heap by an earlier arming is recognised as stale and dropped.
/// <para>
/// A timer the caller drops without disposing stays in the heap and keeps firing until the process ends, as
/// <see cref="TimeProvider.System"/>'s do: its ITimer wraps the runtime's timer-queue entry directly, without the
/// finalizable holder that lets an unreferenced <see cref="System.Threading.Timer"/> be collected (the tests compare
/// the two). Collecting ours would stop a fire-and-forget timer that works on the system's clock; the rig disposes
/// every timer it arms (<c>Task.Delay</c>, <c>CancellationTokenSource</c> and <see cref="Channels.PeriodicLoop"/> do).
/// </para>
/// </summary>
internal sealed class PreciseTimer : ITimer
{
    private static readonly ContextCallback RunInContext = static timer => ((PreciseTimer)timer!).Invoke();

    private readonly TimerScheduler _scheduler;
    private readonly TimerCallback _callback;
    private readonly object? _state;
    private readonly ExecutionContext? _context;
    private TaskCompletionSource? _callbacksDone;
    private int _running;

    internal PreciseTimer(TimerScheduler scheduler, TimerCallback callback, object? state, ExecutionContext? context)
    {
        _scheduler = scheduler;
        _callback = callback;
        _state = state;
        _context = context;
    }

    // The fields below belong to the scheduler's lock.
    internal long Generation { get; private set; }

    internal bool Scheduled { get; set; }

    internal bool Disposed { get; private set; }

    /// <summary>The period in Stopwatch ticks; 0 for a one-shot timer.</summary>
    internal long Period { get; private set; }

    public bool Change(TimeSpan dueTime, TimeSpan period)
    {
        TimerArguments.Validate(dueTime, period);
        var periodTicks = TimerArguments.IsOneShot(period) ? 0 : ToTicks(period);
        lock (_scheduler.Gate)
        {
            if (Disposed)
            {
                return false;
            }
            Unschedule();
            Period = periodTicks;
            if (!TimerArguments.IsInfinite(dueTime))
            {
                var due = dueTime <= TimeSpan.Zero ? 0 : ToTicks(dueTime);
                Scheduled = true;
                _scheduler.Enqueue(this, Generation, Stopwatch.GetTimestamp() + due);
            }
            return true;
        }
    }

    public void Dispose()
    {
        lock (_scheduler.Gate)
        {
            if (!Disposed)
            {
                Disposed = true;
                Unschedule();
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        lock (_scheduler.Gate)
        {
            if (!Disposed)
            {
                Disposed = true;
                Unschedule();
            }
            if (_running == 0)
            {
                return ValueTask.CompletedTask;
            }
            _callbacksDone ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return new ValueTask(_callbacksDone.Task);
        }
    }

    /// <summary>Runs the callback on a thread-pool thread, unless the timer was disposed after it came due.</summary>
    internal void Fire()
    {
        lock (_scheduler.Gate)
        {
            if (Disposed)
            {
                return;
            }
            _running++;
        }
        try
        {
            if (_context is null)
            {
                Invoke();
            }
            else
            {
                ExecutionContext.Run(_context, RunInContext, this);
            }
        }
        finally
        {
            TaskCompletionSource? done = null;
            lock (_scheduler.Gate)
            {
                if (--_running == 0 && Disposed)
                {
                    done = _callbacksDone;
                }
            }
            done?.TrySetResult();
        }
    }

    private void Invoke() => _callback(_state);

    private void Unschedule()
    {
        Generation++;
        if (Scheduled)
        {
            Scheduled = false;
            _scheduler.Abandoned();
        }
    }

    private static long ToTicks(TimeSpan span) => (long)Math.Ceiling(span.Ticks * (double)Stopwatch.Frequency / TimeSpan.TicksPerSecond);
}
