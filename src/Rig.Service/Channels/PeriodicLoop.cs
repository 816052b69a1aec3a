namespace Rig.Service.Channels;

/// <summary>
/// Runs a tick at once and then every period on the rig clock until stopped: the shape of every rig loop.
/// <para>
/// Each tick is due on a fixed grid (start + n × period), computed from the clock's timestamps, whatever the clock's
/// timers do: a periodic timer of a <see cref="TimeProvider"/> may re-arm from the moment it fired (the system's
/// timer queue compensates a late firing; other providers need not), and then every period comes out that firing's
/// lateness longer. A tick that overruns its period is followed by one tick at once (as PeriodicTimer did); a loop
/// more than a whole period behind skips the grid points it missed rather than running them in a burst.
/// </para>
/// <para>
/// How close a tick comes to its grid point is the clock's timers' business: the service's clock is
/// <see cref="Timing.PreciseTimeProvider"/> (sub-millisecond wake-ups; the system timer queue's are 4-12 ms late),
/// the tests' a virtual one.
/// </para>
/// </summary>
public static class PeriodicLoop
{
    public static async Task RunAsync(TimeSpan period, TimeProvider time, Func<CancellationToken, Task> tick, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(tick);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(period, TimeSpan.Zero);
        var start = time.GetTimestamp();
        for (long n = 0; ; )
        {
            await tick(stoppingToken);
            n = NextTick(n, time.GetElapsedTime(start), period);
            var wait = (n * period) - time.GetElapsedTime(start);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, stoppingToken);
            }
            else
            {
                stoppingToken.ThrowIfCancellationRequested();
            }
        }
    }

    /// <summary>
    /// The grid index of the tick after tick <paramref name="done"/>, <paramref name="elapsed"/> after the start: the next
    /// one, unless the loop is a whole period or more behind it, then the last grid point passed (run at once).
    /// </summary>
    internal static long NextTick(long done, TimeSpan elapsed, TimeSpan period)
    {
        var next = done + 1;
        var passed = elapsed.Ticks / period.Ticks;
        return passed > next ? passed : next;
    }
}
