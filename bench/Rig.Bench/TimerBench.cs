using System.Diagnostics;
using System.Globalization;

namespace Rig.Bench;

/// <summary>
/// The parts of a loop's wake-up, apart: how late a one-shot timer's callback starts after its due time (the clock's
/// sleep plus its hand-off to the thread pool), and the hand-off alone (a work item queued from a dedicated thread).
/// </summary>
internal static class TimerBench
{
    private static readonly TimeSpan Due = TimeSpan.FromMilliseconds(5.3);

    /// <summary>One-shot timers armed one after another, each due 5.3 ms after arming; lateness = start of callback − due.</summary>
    internal static string Lateness(TimeProvider time, string clock, int samples)
    {
        var lateness = new double[samples];
        using var fired = new SemaphoreSlim(0);
        long firedAt = 0;
        for (var i = 0; i < samples; i++)
        {
            var armed = Stopwatch.GetTimestamp();
            using var timer = time.CreateTimer(_ =>
            {
                Volatile.Write(ref firedAt, Stopwatch.GetTimestamp());
                fired.Release();
            }, null, Due, Timeout.InfiniteTimeSpan);
            fired.Wait();
            lateness[i] = (Stopwatch.GetElapsedTime(armed, Volatile.Read(ref firedAt)) - Due).TotalMilliseconds;
        }
        Array.Sort(lateness);
        return string.Create(CultureInfo.InvariantCulture,
            $"timer lateness, {clock}, {samples} one-shot timers due {Due.TotalMilliseconds} ms after arming: median {Percentile(lateness, 0.5):0.00} ms, p99 {Percentile(lateness, 0.99):0.00} ms, " +
            $"max {lateness[^1]:0.00} ms, earliest {lateness[0]:0.00} ms; load average {LoadAverage()}");
    }

    /// <summary>
    /// Issue 19's known lateness window: a timer armed while the clock's thread waits for a later deadline, 0.2-1.8 ms
    /// before it (inside the 2 ms the earlier timer thread slept in clock_nanosleep, which nothing could end), due
    /// half-way to it. Lateness = start of its callback − its due time.
    /// </summary>
    internal static string ArmedBeforeDeadline(TimeProvider time, string clock, int samples)
    {
        var lateness = new double[samples];
        using var fired = new SemaphoreSlim(0);
        long firedAt = 0;
        for (var i = 0; i < samples; i++)
        {
            var before = TimeSpan.FromMilliseconds(0.2 + (1.6 * i / samples));
            var armed = Stopwatch.GetTimestamp();
            using var later = time.CreateTimer(_ => fired.Release(), null, Due, Timeout.InfiniteTimeSpan);
            while (Stopwatch.GetElapsedTime(armed) < Due - before)
            {
                Thread.SpinWait(20);
            }
            var nearArmed = Stopwatch.GetTimestamp();
            using var near = time.CreateTimer(_ =>
            {
                Volatile.Write(ref firedAt, Stopwatch.GetTimestamp());
                fired.Release();
            }, null, before / 2, Timeout.InfiniteTimeSpan);
            fired.Wait();
            fired.Wait();
            lateness[i] = (Stopwatch.GetElapsedTime(nearArmed, Volatile.Read(ref firedAt)) - (before / 2)).TotalMilliseconds;
        }
        Array.Sort(lateness);
        return string.Create(CultureInfo.InvariantCulture,
            $"timer lateness, {clock}, {samples} timers armed 0.2-1.8 ms before the deadline waited for, due half-way to it: median {Percentile(lateness, 0.5):0.00} ms, " +
            $"p99 {Percentile(lateness, 0.99):0.00} ms, max {lateness[^1]:0.00} ms, earliest {lateness[0]:0.00} ms; load average {LoadAverage()}");
    }

    /// <summary>Work items queued to the thread pool from a dedicated thread every 2 ms: queue → start of the item.</summary>
    internal static string HandOff(int samples)
    {
        var delays = new double[samples];
        var thread = new Thread(() =>
        {
            using var ran = new SemaphoreSlim(0);
            for (var i = 0; i < samples; i++)
            {
                var index = i;
                var queued = Stopwatch.GetTimestamp();
                ThreadPool.UnsafeQueueUserWorkItem(_ =>
                {
                    delays[index] = Stopwatch.GetElapsedTime(queued).TotalMilliseconds;
                    ran.Release();
                }, null);
                ran.Wait();
                Thread.Sleep(2);
            }
        });
        thread.Start();
        thread.Join();
        Array.Sort(delays);
        return string.Create(CultureInfo.InvariantCulture,
            $"thread-pool hand-off, {samples} items queued from a dedicated thread: median {Percentile(delays, 0.5):0.000} ms, p99 {Percentile(delays, 0.99):0.000} ms, max {delays[^1]:0.000} ms; load average {LoadAverage()}");
    }

    /// <summary>
    /// Loops on each clock at the same time (nothing recorded), so every clock sees the same machine: on a shared machine
    /// whose load moves from one 16 s run to the next, this is the fair comparison of the clocks.
    /// </summary>
    internal static async Task LoopsTogetherAsync(TimeSpan period, TimeSpan duration, int loopsEach, params (TimeProvider Time, string Name)[] clocks)
    {
        var starts = clocks.Select(_ => Enumerable.Range(0, loopsEach).Select(_ => new List<TimeSpan>()).ToArray()).ToArray();
        using var stop = new CancellationTokenSource(duration);
        var clock = Stopwatch.StartNew();
        var loops = clocks.SelectMany((c, i) => Enumerable.Range(0, loopsEach).Select(l => Task.Run(async () =>
        {
            try
            {
                await Rig.Service.Channels.PeriodicLoop.RunAsync(period, c.Time, _ =>
                {
                    starts[i][l].Add(clock.Elapsed);
                    return Task.CompletedTask;
                }, stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }))).ToArray();
        await Task.WhenAll(loops);
        for (var i = 0; i < clocks.Length; i++)
        {
            var intervals = starts[i].SelectMany(s => s.Zip(s.Skip(1), (a, b) => Math.Abs((b - a - period).TotalMilliseconds))).Order().ToArray();
            var ticks = starts[i].Sum(s => s.Count(t => t < duration));
            var gaps = starts[i].Sum(s => s.Zip(s.Skip(1), (a, b) => b - a).Count(d => d >= 2 * period));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"loops together, {clocks[i].Name}, {loopsEach} of {loopsEach * clocks.Length} loops every {period.TotalMilliseconds:0} ms for {duration.TotalSeconds:0} s, nothing recorded: " +
                $"period jitter median {Percentile(intervals, 0.5):0.00} ms, p99 {Percentile(intervals, 0.99):0.00} ms, max {intervals[^1]:0.00} ms; {ticks} of {loopsEach * (int)Math.Ceiling(duration / period)} ticks, {gaps} gaps; load average {LoadAverage()}"));
        }
    }

    private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}
