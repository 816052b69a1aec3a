using System.Globalization;
using System.Text.Json;

namespace Rig.Service.Metrics;

/// <summary>
/// "Rig.Service analyze &lt;file.csv&gt; [--formation-cycles=N]": the live engine's metrics on a Battery Data Format CSV
/// from anywhere, printed as JSON (per cycle and for the test). A bad file: the line and column, exit 65.
/// </summary>
public static class AnalyzeCommandLine
{
    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var positional = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        int? formation = null;
        foreach (var option in args.Where(a => a.StartsWith("--formation-cycles=", StringComparison.Ordinal)))
        {
            if (int.TryParse(option["--formation-cycles=".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var given))
            {
                formation = given;
            }
            else
            {
                await Console.Error.WriteLineAsync($"--formation-cycles takes a whole number (was '{option}')");
                return CommandLine.ExitCodes.Usage;
            }
        }
        if (positional.Length != 2)
        {
            await Console.Error.WriteLineAsync("usage: Rig.Service analyze <file.bdf.csv> [--formation-cycles=N]");
            return CommandLine.ExitCodes.Usage;
        }
        if (!File.Exists(positional[1]))
        {
            await Console.Error.WriteLineAsync($"No file {positional[1]}");
            return 66; // EX_NOINPUT
        }
        // A device or a kernel file is not a data file: /dev/zero would be read as one endless line, /proc/self/mem is
        // a "regular" file that cannot be read. A FIFO or device elsewhere is refused when opened (RegularFile).
        var real = File.ResolveLinkTarget(positional[1], returnFinalTarget: true)?.FullName ?? Path.GetFullPath(positional[1]);
        if (real.StartsWith("/dev/", StringComparison.Ordinal) || real.StartsWith("/proc/", StringComparison.Ordinal) || real.StartsWith("/sys/", StringComparison.Ordinal)
            || (File.GetAttributes(real) & FileAttributes.Directory) != 0)
        {
            await Console.Error.WriteLineAsync($"{positional[1]}: not a regular file; refused");
            return CommandLine.ExitCodes.DataError;
        }
        try
        {
            var report = BdfAnalyzer.Analyze(positional[1], formation);
            Console.WriteLine(JsonSerializer.Serialize(Summary(report), AnalysisSummaryJson.Indented.GetTypeInfo(typeof(AnalysisSummary))));
            return 0;
        }
        catch (Exception ex) when (ex is BdfFormatException or InvalidDataException)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return CommandLine.ExitCodes.DataError;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException or OutOfMemoryException)
        {
            // Not a readable text file of sane size; the runtime's words stay out of the answer.
            await Console.Error.WriteLineAsync($"{positional[1]}: cannot be analysed (not a readable Battery Data Format text file)");
            return CommandLine.ExitCodes.DataError;
        }
    }

    /// <summary>The report as plain data with units in the names (the CLI's JSON and the MQTT reply).</summary>
    public static AnalysisSummary Summary(AnalysisReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var area = report.Sidecar?.CellAreaCm2;
        var nominal = report.Sidecar?.NominalCapacityAmpHours;
        return new AnalysisSummary(
            report.Source,
            report.Sidecar?.Path,
            report.Rows,
            report.Cycles.Count,
            report.FormationCycles,
            area,
            nominal,
            report.Test.InitialCoulombicEfficiency,
            report.Test.AverageCoulombicEfficiency,
            report.Test.CyclesTo80PercentRetention,
            report.Test.CyclesTo70PercentRetention,
            report.Cycles.Select(c => new AnalysisCycleSummary(
                c.Metrics.Cycle,
                c.Metrics.ChargeMilliampHours,
                c.Metrics.DischargeMilliampHours,
                c.Metrics.CoulombicEfficiency,
                c.Metrics.ChargeMilliwattHours,
                c.Metrics.DischargeMilliwattHours,
                c.Metrics.EnergyEfficiency,
                c.Metrics.MeanChargeVoltage,
                c.Metrics.MeanDischargeVoltage,
                area is { } a ? c.Metrics.ChargeMilliampHours / a : null,
                area is { } b ? c.Metrics.DischargeMilliampHours / b : null,
                nominal is { } n ? c.Metrics.DischargeAmpSeconds / 3600.0 / n : null,
                c.Retention)).ToList(),
            report.Sidecar?.Provenance);
    }
}
