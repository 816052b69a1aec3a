using System.Diagnostics;
using System.Globalization;
using Rig.Service.Metrics;

namespace Rig.Bench;

/// <summary>
/// Issue 13: "analyze" on a 400-cycle full-cell BDF file of more than a million rows: rows per second and peak memory
/// (the analyser streams, so memory must not grow with the file).
/// </summary>
internal static class AnalyzeBench
{
    public static Task RunAsync()
    {
        var path = Path.Combine(Path.GetTempPath(), $"rig-bench-analyze-{Environment.ProcessId}.bdf.csv");
        try
        {
            var rows = Write(path, cycles: 400, rowsPerHalf: 1300);
            Measure(path, rows); // warm-up (JIT)
            var (seconds, peak) = Measure(path, rows);
            var bytes = new FileInfo(path).Length;
            Console.WriteLine(FormattableString.Invariant(
                $"analyze: {rows:N0} rows ({bytes / 1e6:0} MB, 400 cycles) in {seconds:0.00} s = {rows / seconds / 1e6:0.00} M rows/s; peak working set {peak / 1e6:0} MB (the whole process: the file is streamed line by line)"));
        }
        finally
        {
            File.Delete(path);
        }
        return Task.CompletedTask;
    }

    private static (double Seconds, long PeakBytes) Measure(string path, long rows)
    {
        GC.Collect();
        var before = Environment.WorkingSet;
        var clock = Stopwatch.StartNew();
        var report = BdfAnalyzer.Analyze(path, formationCycles: 3);
        var seconds = clock.Elapsed.TotalSeconds;
        if (report.Rows != rows || report.Cycles.Count != 400)
        {
            throw new InvalidOperationException($"analysed {report.Rows} rows and {report.Cycles.Count} cycles, wrote {rows}");
        }
        using var process = Process.GetCurrentProcess();
        return (seconds, Math.Max(process.PeakWorkingSet64, before));
    }

    // A full cell's shape: charge at +1 mA to 3.5 V, discharge at -1 mA to 1.8 V; our export's columns.
    private static long Write(string path, int cycles, int rowsPerHalf)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine("Test Time / s,Cycle Count / 1,Voltage / V,Current / A,Charging Capacity / Ah,Discharging Capacity / Ah");
        long rows = 0;
        var t = 0.0;
        double charged = 0, discharged = 0;
        for (var cycle = 1; cycle <= cycles; cycle++)
        {
            for (var half = 0; half < 2; half++)
            {
                for (var i = 0; i < rowsPerHalf; i++)
                {
                    var amps = half == 0 ? 1e-3 : -0.9996e-3;
                    var volts = half == 0 ? 3.0 + 0.5 * i / rowsPerHalf : 3.3 - 1.5 * i / rowsPerHalf;
                    if (i > 0)
                    {
                        if (half == 0) { charged += 1e-3 * 10 / 3600; } else { discharged += 0.9996e-3 * 10 / 3600; }
                    }
                    writer.Write(t.ToString("R", CultureInfo.InvariantCulture));
                    writer.Write(',');
                    writer.Write(cycle.ToString(CultureInfo.InvariantCulture));
                    writer.Write(',');
                    writer.Write(volts.ToString("R", CultureInfo.InvariantCulture));
                    writer.Write(',');
                    writer.Write(amps.ToString("R", CultureInfo.InvariantCulture));
                    writer.Write(',');
                    writer.Write(charged.ToString("R", CultureInfo.InvariantCulture));
                    writer.Write(',');
                    writer.WriteLine(discharged.ToString("R", CultureInfo.InvariantCulture));
                    t += 10;
                    rows++;
                }
            }
        }
        return rows;
    }
}
