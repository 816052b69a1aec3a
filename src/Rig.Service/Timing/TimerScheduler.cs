using System.Diagnostics;

namespace Rig.Service.Timing;

/// <summary>
/// The timer thread of <see cref="PreciseTimeProvider"/>: a heap of (deadline, timer, generation) on Stopwatch
/// timestamps, one thread sleeping to the earliest and handing due callbacks to the thread pool.
/// </summary>
internal sealed class TimerScheduler(TimeSpan fineWindow, TimeSpan idleExit)
{
    /// <summary>A monitor wait takes at most int.MaxValue ms; a timer due later (up to 49.7 days) is waited for in steps.</summary>
    private static readonly TimeSpan LongestWait = TimeSpan.FromHours(1);

    private readonly PriorityQueue<(PreciseTimer Timer, long Generation), long> _heap = new();
    private readonly long _fineTicks = (long)(fineWindow.TotalSeconds * Stopwatch.Frequency);
    private readonly List<PreciseTimer> _due = [];
    private int _stale;
    private bool _threadRunning;
    private long _waitingUntil = long.MaxValue;

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
            new Thread(Run) { IsBackground = true, Name = "rig timers", Priority = ThreadPriority.Highest }.Start();
        }
        else if (deadline < _waitingUntil)
        {
            Monitor.Pulse(Gate);
        }
    }

    /// <summary>A scheduled arming was changed or disposed (under <see cref="Gate"/>): its entry is now stale.</summary>
    internal void Abandoned() => _stale++;

    private void Compact()
    {
        var live = _heap.UnorderedItems.Where(e => e.Element.Generation == e.Element.Timer.Generation).ToList();
        _heap.Clear();
        _heap.EnqueueRange(live);
        _stale = 0;
    }

    private void Run()
    {
        MonotonicSleep.TightenTimerSlack();
        var native = true;
        while (true)
        {
            var sleepUntil = 0L;
            lock (Gate)
            {
                if (!NextWait(ref sleepUntil))
                {
                    return;
                }
            }
            foreach (var timer in _due)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static t => t.Fire(), timer, preferLocal: false);
            }
            _due.Clear();
            if (sleepUntil != 0)
            {
                MonotonicSleep.Until(sleepUntil, ref native);
            }
        }
    }

    /// <summary>
    /// Under <see cref="Gate"/>: collects the due timers, or waits on the monitor until the earliest deadline is within
    /// the fine window (then returns it to sleep to outside the lock). False when idle long enough to end the thread.
    /// </summary>
    private bool NextWait(ref long sleepUntil)
    {
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
            var remaining = deadline - now;
            var coarse = TimeSpan.FromSeconds((remaining - _fineTicks) / (double)Stopwatch.Frequency);
            if (coarse >= TimeSpan.FromMilliseconds(1))
            {
                _waitingUntil = deadline;
                Monitor.Wait(Gate, coarse < LongestWait ? coarse : LongestWait);
                now = Stopwatch.GetTimestamp();
                continue;
            }
            _waitingUntil = deadline;
            sleepUntil = deadline;
            return true;
        }
    }
}
