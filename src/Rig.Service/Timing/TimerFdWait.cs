using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Rig.Service.Timing;

/// <summary>
/// The Linux wait of the timer thread: a timerfd armed to the deadline on CLOCK_MONOTONIC (the clock Stopwatch reads
/// there, to the nanosecond, TFD_TIMER_ABSTIME) and an eventfd another thread writes when the heap gets an earlier
/// deadline, both waited on by one <c>poll</c>.
/// <para>
/// Why this and not <c>clock_nanosleep</c> (what it replaces): nothing can end a clock_nanosleep early except a
/// signal, so a timer added while the thread slept to a later deadline waited for that deadline; the monitor wait that
/// woke the thread for such a timer counts whole milliseconds, which is why the thread used it only until 2 ms before
/// a deadline, and a timer added inside those 2 ms fired up to 2 ms late. Here one wait ends on whichever comes first,
/// with the kernel's hrtimer (timerfd has no timer slack) for the deadline. A signal to end the sleep instead would
/// mean a handler in a process whose signals the .NET runtime owns. The systemd unit's filter (@system-service)
/// allows all four calls (@timer, @io-event).
/// </para>
/// </summary>
internal sealed unsafe partial class TimerFdWait : IDeadlineWait
{
    private const int ClockMonotonic = 1;
    private const int TimerAbsolute = 1; // TFD_TIMER_ABSTIME
    private const int NonBlockingCloseOnExec = 0x800 | 0x80000; // O_NONBLOCK | O_CLOEXEC (TFD_/EFD_ flags are these)
    private const short PollIn = 0x1;
    private const short PollFailed = 0x8 | 0x10 | 0x20; // POLLERR | POLLHUP | POLLNVAL
    private const int Interrupted = 4; // EINTR
    private const int WouldBlock = 11; // EAGAIN
    private const int SetTimerSlack = 29; // PR_SET_TIMERSLACK

    private readonly int _timer;
    private readonly int _wake;
    private int _closed;

    private TimerFdWait(int timer, int wake)
    {
        _timer = timer;
        _wake = wake;
    }

    /// <summary>Opens the timerfd and the eventfd for the calling thread's waits.</summary>
    /// <exception cref="Win32Exception">A call failed (its errno in the message).</exception>
    /// <exception cref="DllNotFoundException">No libc (not Linux).</exception>
    internal static TimerFdWait Open()
    {
        if (!OperatingSystem.IsLinux() || !Stopwatch.IsHighResolution)
        {
            throw new PlatformNotSupportedException("timerfd needs Linux, where Stopwatch reads CLOCK_MONOTONIC");
        }
        // The fallback's monitor wait, and any other sleep of this thread, then ends when due: Linux's default slack is 50 µs.
        _ = Prctl(SetTimerSlack, 1, 0, 0, 0);
        var timer = Check(TimerFdCreate(ClockMonotonic, NonBlockingCloseOnExec), "timerfd_create");
        int wake;
        try
        {
            wake = Check(EventFd(0, NonBlockingCloseOnExec), "eventfd");
        }
        catch
        {
            _ = Close(timer);
            throw;
        }
        return new TimerFdWait(timer, wake);
    }

    public void Wake()
    {
        ulong one = 1;
        if (Write(_wake, &one, sizeof(ulong)) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            // EAGAIN: the counter is full, so the eventfd is readable already and the wait ends anyway.
            if (errno is not (WouldBlock or Interrupted))
            {
                throw Failure("write(eventfd)", errno);
            }
        }
    }

    public bool Wait(long deadline, TimeSpan idle)
    {
        // Armed to the deadline, or disarmed (all zeros) when there is none; a deadline already past fires at once.
        var arm = deadline == long.MaxValue ? default : new TimerSpec { Value = ToTimespec(deadline) };
        Check(TimerFdSetTime(_timer, TimerAbsolute, &arm, null), "timerfd_settime");
        var timeout = deadline == long.MaxValue ? (int)Math.Ceiling(Math.Min(idle.TotalMilliseconds, int.MaxValue)) : -1;
        var fds = stackalloc PollFd[2];
        fds[0] = new PollFd { Fd = _timer, Events = PollIn };
        fds[1] = new PollFd { Fd = _wake, Events = PollIn };
        var ready = Poll(fds, 2, timeout);
        if (ready < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Interrupted)
            {
                return true; // a signal: the caller reads the clock and waits again
            }
            throw Failure("poll", errno);
        }
        if (ready == 0)
        {
            return false;
        }
        for (var i = 0; i < 2; i++)
        {
            if ((fds[i].ReturnedEvents & PollFailed) != 0)
            {
                throw new Win32Exception($"poll: {(i == 0 ? "timerfd" : "eventfd")} reported error events 0x{fds[i].ReturnedEvents:x}");
            }
            if ((fds[i].ReturnedEvents & PollIn) != 0)
            {
                Drain(fds[i].Fd, i == 0 ? "read(timerfd)" : "read(eventfd)");
            }
        }
        return true;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            _ = Close(_timer);
            _ = Close(_wake);
        }
    }

    /// <summary>Reads the expiry count or the wake counter, so the descriptor is not readable again until the next one.</summary>
    private static void Drain(int fd, string call)
    {
        ulong count;
        if (Read(fd, &count, sizeof(ulong)) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is not (WouldBlock or Interrupted))
            {
                throw Failure(call, errno);
            }
        }
    }

    private static Timespec ToTimespec(long stopwatchTimestamp)
    {
        var nanoseconds = (long)((Int128)stopwatchTimestamp * 1_000_000_000 / Stopwatch.Frequency);
        return new Timespec { Seconds = (nint)(nanoseconds / 1_000_000_000), Nanoseconds = (nint)(nanoseconds % 1_000_000_000) };
    }

    private static int Check(int result, string call) => result >= 0 ? result : throw Failure(call, Marshal.GetLastPInvokeError());

    private static Win32Exception Failure(string call, int errno) => new(errno, $"{call} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");

    /// <summary>struct timespec with time_t and long both the native word (glibc on 64-bit, and 32-bit time_t on armhf).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public nint Seconds;
        public nint Nanoseconds;
    }

    /// <summary>struct itimerspec: no interval (the thread re-arms for each deadline).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct TimerSpec
    {
        public Timespec Interval;
        public Timespec Value;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short ReturnedEvents;
    }

    [LibraryImport("libc", EntryPoint = "timerfd_create", SetLastError = true)]
    private static partial int TimerFdCreate(int clock, int flags);

    [LibraryImport("libc", EntryPoint = "timerfd_settime", SetLastError = true)]
    private static partial int TimerFdSetTime(int fd, int flags, TimerSpec* value, TimerSpec* old);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    private static partial int EventFd(uint initial, int flags);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint Read(int fd, ulong* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint Write(int fd, ulong* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "prctl")]
    private static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
}
