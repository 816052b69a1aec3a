using System.Globalization;

namespace Rig.Bench;

/// <summary>
/// Where a process's CPU went, by thread (/proc/self/task/*/stat): the store writer thread (SQLite inserts, chunk
/// encoding, payloads, commits), the JIT's background thread (tiered recompilation: a one-off cost of a young process,
/// not of the path), the GC's threads, and the rest (producer, recorder, publisher, MQTT client, the bench's own
/// subscriber reader). A thread that exits between two snapshots is counted in the rest (process total minus the named).
/// </summary>
internal sealed class ThreadCpu
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux
    private readonly Dictionary<string, long> _byKind;
    private readonly TimeSpan _process;

    private ThreadCpu(Dictionary<string, long> byKind, TimeSpan process)
    {
        _byKind = byKind;
        _process = process;
    }

    public static ThreadCpu Now()
    {
        var byKind = new Dictionary<string, long>(StringComparer.Ordinal);
        var process = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        if (Directory.Exists("/proc/self/task"))
        {
            foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(task, "stat"));
                    var open = stat.IndexOf('(', StringComparison.Ordinal);
                    var close = stat.LastIndexOf(')');
                    var kind = Kind(stat[(open + 1)..close]);
                    var fields = stat[(close + 2)..].Split(' ');
                    var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                    byKind[kind] = byKind.GetValueOrDefault(kind) + ticks;
                }
                catch (IOException)
                {
                    // The thread exited while being read.
                }
            }
        }
        return new ThreadCpu(byKind, process);
    }

    private static string Kind(string comm) => comm switch
    {
        "store writer" => "store writer",
        _ when comm.StartsWith(".NET Tiered", StringComparison.Ordinal) => "JIT",
        _ when comm.StartsWith(".NET BGC", StringComparison.Ordinal) || comm.StartsWith(".NET Server GC", StringComparison.Ordinal) || comm.StartsWith(".NET Background GC", StringComparison.Ordinal) => "GC",
        _ => "rest",
    };

    /// <summary>"store writer 3.10, JIT 0.20, GC 0.05, rest 2.40 CPU-s" since <paramref name="before"/>.</summary>
    public string Since(ThreadCpu before)
    {
        double Delta(string kind) => (_byKind.GetValueOrDefault(kind) - before._byKind.GetValueOrDefault(kind)) / TicksPerSecond;
        var writer = Delta("store writer");
        var jit = Delta("JIT");
        var gc = Delta("GC");
        var rest = (_process - before._process).TotalSeconds - writer - jit - gc;
        return string.Create(CultureInfo.InvariantCulture, $"store writer thread {writer:0.00}, JIT thread {jit:0.00}, GC threads {gc:0.00}, the rest (producer, publisher, MQTT client, subscriber reader) {rest:0.00} CPU-s");
    }
}
