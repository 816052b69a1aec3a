using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Rig.Service.Timing;

/// <summary>
/// Sleeps the calling thread until a <see cref="Stopwatch"/> timestamp: <c>clock_nanosleep(CLOCK_MONOTONIC,
/// TIMER_ABSTIME)</c> on Linux (the clock Stopwatch reads there), so the wake-up is the kernel timer's, not rounded
/// to a millisecond; elsewhere, or if libc cannot be called, a thread sleep rounded up to whole milliseconds.
/// </summary>
internal static partial class MonotonicSleep
{
    private const int ClockMonotonic = 1;
    private const int TimerAbsolute = 1;
    private const int Interrupted = 4; // EINTR
    private const int SetTimerSlack = 29; // PR_SET_TIMERSLACK

    /// <summary>Lowers the calling thread's timer slack to 1 ns (Linux's default is 50 µs): its sleeps end when due.</summary>
    internal static void TightenTimerSlack()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        try
        {
            _ = Prctl(SetTimerSlack, 1, 0, 0, 0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Only precision is lost.
        }
    }

    /// <summary>Sleeps until a Stopwatch timestamp, or returns at once if it has passed.</summary>
    /// <param name="deadline">A <see cref="Stopwatch.GetTimestamp"/> value.</param>
    /// <param name="native">Whether to use clock_nanosleep; cleared (for this caller) if libc cannot be called.</param>
    internal static void Until(long deadline, ref bool native)
    {
        if (native && OperatingSystem.IsLinux() && Stopwatch.IsHighResolution)
        {
            try
            {
                var nanoseconds = (long)((Int128)deadline * 1_000_000_000 / Stopwatch.Frequency);
                var until = new Timespec { Seconds = (nint)(nanoseconds / 1_000_000_000), Nanoseconds = (nint)(nanoseconds % 1_000_000_000) };
                int result;
                do
                {
                    result = ClockNanosleep(ClockMonotonic, TimerAbsolute, in until, IntPtr.Zero);
                }
                while (result == Interrupted); // a signal: the deadline is absolute, so sleep again to it
                if (result == 0)
                {
                    return;
                }
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
            }
            native = false;
        }
        var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
        if (remaining > TimeSpan.Zero)
        {
            Thread.Sleep((int)Math.Ceiling(remaining.TotalMilliseconds));
        }
    }

    /// <summary>struct timespec with time_t and long both the native word (glibc on 64-bit, and 32-bit time_t on armhf).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public nint Seconds;
        public nint Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    private static partial int ClockNanosleep(int clock, int flags, in Timespec request, IntPtr remain);

    [LibraryImport("libc", EntryPoint = "prctl")]
    private static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
}
