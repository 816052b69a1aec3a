using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Rig.Service.Timing;

/// <summary>
/// The timer thread of <see cref="PreciseTimeProvider"/>: a heap of (deadline, timer, generation) on Stopwatch
/// timestamps, one thread waiting for the earliest and handing due callbacks to the thread pool.
/// <para>
/// The thread waits outside the lock on an <see cref="IDeadlineWait"/> (Linux: <see cref="TimerFdWait"/>), which a
/// sooner timer ends through <see cref="IDeadlineWait.Wake"/>. If there is none, or one of its calls fails, the thread
/// waits on the lock's monitor instead, rounded up to whole milliseconds (up to ~1 ms late, never early), and says
/// why once in the log and in <see cref="FallbackReason"/>: the rig's loops keep ticking either way.
/// </para>
/// </summary>
internal sealed partial class TimerScheduler(TimeSpan idleExit, Func<IDeadlineWait> openWait, ILogger logger)
{
    /// <summary>A monitor wait takes at most int.MaxValue ms; a timer due later (up to 49.7 days) is waited for in steps.</summary>
    private static readonly TimeSpan LongestWait = TimeSpan.FromHours(1);

    private readonly PriorityQueue<(PreciseTimer Timer, long Generation), long> _heap = new();
    private readonly List<PreciseTimer> _due = [];
    private int _stale;
    private bool _threadRunning;
    private long _waitingUntil = long.MaxValue;

    /// <summary>The running thread's wait while it works (under <see cref="Gate"/>); null: the monitor wait.</summary>
    private IDeadlineWait? _wait;

    /// <summary>Whether the native wait was given up (under <see cref="Gate"/>): later threads use the monitor wait too.</summary>
    private string? _fallbackReason;

    internal object Gate { get; } = new();

    /// <summary>Whether the timer thread is alive (for tests: it ends when idle and starts with the next timer).</summary>
    internal bool ThreadRunning
    {
        get
        {
            lock (Gate)
            {
                return _threadRunning;
            }
        }
    }

    /// <summary>Heap entries, live and stale (for tests: the heap stays bounded however often timers change).</summary>
    internal int Entries
    {
        get
        {
            lock (Gate)
            {
                return _heap.Count;
            }
        }
    }

    /// <summary>Why the timers wait on the monitor (ms steps) instead of the native wait; null while they do not.</summary>
    internal string? FallbackReason
    {
        get
        {
            lock (Gate)
            {
                return _fallbackReason;
            }
        }
    }

    /// <summary>Adds an arming (under <see cref="Gate"/>); wakes the thread if it now has an earlier deadline.</summary>
    internal void Enqueue(PreciseTimer timer, long generation, long deadline)
    {
        if (_stale > 64 && _stale > _heap.Count / 2)
        {
            Compact();
        }
        _heap.Enqueue((timer, generation), deadline);
        if (!_threadRunning)
        {
            _threadRunning = true;
            _waitingUntil = long.MaxValue;
            // Highest counts on Windows only: on Linux the runtime leaves the thread at the process's nice (measured in
            // /proc/<pid>/task/*/stat), and the unit's syscall filter (~@resources) denies setpriority, so the timer
            // thread cannot outrank the thread pool there; the unit's Nice= is the one lever (docs/benchmarks.md).
            new Thread(Run) { IsBackground = true, Name = "rig timers", Priority = ThreadPriority.Highest }.Start();
        }
        else if (deadline < _waitingUntil)
        {
            Wake();
        }
    }

    /// <summary>A scheduled arming was changed or disposed (under <see cref="Gate"/>): its entry is now stale.</summary>
    internal void Abandoned() => _stale++;

    /// <summary>Under <see cref="Gate"/>: ends the thread's current wait, whichever it is.</summary>
    private void Wake()
    {
        if (_wait is null)
        {
            Monitor.Pulse(Gate);
            return;
        }
        try
        {
            _wait.Wake();
        }
        catch (Win32Exception e)
        {
            // The thread cannot be woken now: it falls back when its wait ends (at its current deadline, or idle).
            FallBack(e.Message);
        }
    }

    private void Compact()
    {
        var live = _heap.UnorderedItems.Where(e => e.Element.Generation == e.Element.Timer.Generation).ToList();
        _heap.Clear();
        _heap.EnqueueRange(live);
        _stale = 0;
    }

    private void Run()
    {
        var wait = OpenWait();
        try
        {
            while (true)
            {
                long waitUntil;
                lock (Gate)
                {
                    if (!NextWait(out waitUntil))
                    {
                        return;
                    }
                    if (wait is not null && _wait != wait)
                    {
                        wait.Dispose(); // given up (a failed wake); nobody writes to it any more
                        wait = null;
                    }
                }
                foreach (var timer in _due)
                {
                    ThreadPool.UnsafeQueueUserWorkItem(static t => t.Fire(), timer, preferLocal: false);
                }
                _due.Clear();
                if (wait is null || waitUntil == 0)
                {
                    continue;
                }
                try
                {
                    if (!wait.Wait(waitUntil, idleExit) && EndIfIdle())
                    {
                        return;
                    }
                }
                catch (Win32Exception e)
                {
                    lock (Gate)
                    {
                        FallBack(e.Message);
                    }
                    wait.Dispose();
                    wait = null;
                }
            }
        }
        finally
        {
            wait?.Dispose();
        }
    }

    /// <summary>Opens this thread's native wait, unless an earlier one failed; null (with the reason logged) if it cannot.</summary>
    private IDeadlineWait? OpenWait()
    {
        lock (Gate)
        {
            if (_fallbackReason is not null)
            {
                return null;
            }
        }
        IDeadlineWait wait;
        try
        {
            wait = openWait();
        }
        catch (Exception e) when (e is Win32Exception or PlatformNotSupportedException or DllNotFoundException or EntryPointNotFoundException)
        {
            lock (Gate)
            {
                FallBack($"{e.GetType().Name}: {e.Message}");
            }
            return null;
        }
        lock (Gate)
        {
            _wait = wait;
        }
        return wait;
    }

    /// <summary>Under <see cref="Gate"/>: from now on the monitor wait, for this thread and the ones after it.</summary>
    private void FallBack(string reason)
    {
        _wait = null;
        if (_fallbackReason is null)
        {
            _fallbackReason = reason;
            LogFallback(logger, reason);
        }
    }

    /// <summary>After an idle wait with no timer: ends the thread unless a timer came meanwhile.</summary>
    private bool EndIfIdle()
    {
        lock (Gate)
        {
            if (_heap.Count > 0)
            {
                return false;
            }
            _threadRunning = false;
            _wait = null;
            return true;
        }
    }

    /// <summary>
    /// Under <see cref="Gate"/>: collects the due timers into <see cref="_due"/> (then <paramref name="waitUntil"/> is 0:
    /// hand them out and come back), or gives the deadline to wait for outside the lock (<see cref="long.MaxValue"/>:
    /// none), or, without a native wait, waits on the monitor here. False when idle long enough to end the thread.
    /// </summary>
    private bool NextWait(out long waitUntil)
    {
        waitUntil = 0;
        // One reading of the clock per pass: a periodic timer re-armed in it is due after this reading, so each pass
        // collects every timer at most once and ends.
        var now = Stopwatch.GetTimestamp();
        while (true)
        {
            while (_heap.TryPeek(out var top, out _) && top.Generation != top.Timer.Generation)
            {
                _heap.Dequeue();
                _stale--;
            }
            if (!_heap.TryPeek(out var next, out var deadline))
            {
                if (_due.Count > 0)
                {
                    return true;
                }
                _waitingUntil = long.MaxValue;
                if (_wait is not null)
                {
                    waitUntil = long.MaxValue;
                    return true;
                }
                if (!Monitor.Wait(Gate, idleExit) && _heap.Count == 0)
                {
                    _threadRunning = false;
                    return false;
                }
                now = Stopwatch.GetTimestamp();
                continue;
            }
            if (deadline <= now)
            {
                _heap.Dequeue();
                _due.Add(next.Timer);
                if (next.Timer.Period > 0)
                {
                    // The next firing on the timer's own grid; if it fell more than a period behind, one period from now.
                    var following = deadline + next.Timer.Period;
                    _heap.Enqueue(next, following > now ? following : now + next.Timer.Period);
                }
                else
                {
                    next.Timer.Scheduled = false;
                }
                continue;
            }
            if (_due.Count > 0)
            {
                return true;
            }
            _waitingUntil = deadline;
            if (_wait is not null)
            {
                waitUntil = deadline;
                return true;
            }
            var remaining = Stopwatch.GetElapsedTime(now, deadline);
            Monitor.Wait(Gate, remaining < LongestWait ? (int)Math.Ceiling(remaining.TotalMilliseconds) : (int)LongestWait.TotalMilliseconds);
            now = Stopwatch.GetTimestamp();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Precise timers fall back to millisecond monitor waits (up to ~1 ms late): {Reason}")]
    private static partial void LogFallback(ILogger logger, string reason);
}
