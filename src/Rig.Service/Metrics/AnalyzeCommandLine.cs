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
        try
        {
            var report = BdfAnalyzer.Analyze(positional[1], formation);
            Console.WriteLine(JsonSerializer.Serialize(Summary(report), new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        catch (BdfFormatException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return CommandLine.ExitCodes.DataError;
        }
    }

    /// <summary>The report as plain data with units in the names (the CLI's JSON and the MQTT reply).</summary>
    public static object Summary(AnalysisReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var area = report.Sidecar?.CellAreaCm2;
        var nominal = report.Sidecar?.NominalCapacityAmpHours;
        return new
        {
            source = report.Source,
            metadata = report.Sidecar?.Path,
            rows = report.Rows,
            cycles = report.Cycles.Count,
            formation_cycles = report.FormationCycles,
            cell_area_cm2 = area,
            nominal_capacity_Ah = nominal,
            initial_coulombic_efficiency = report.Test.InitialCoulombicEfficiency,
            average_coulombic_efficiency = report.Test.AverageCoulombicEfficiency,
            cycles_to_80_percent_retention = report.Test.CyclesTo80PercentRetention,
            cycles_to_70_percent_retention = report.Test.CyclesTo70PercentRetention,
            per_cycle = report.Cycles.Select(c => new
            {
                cycle = c.Metrics.Cycle,
                charge_capacity_mAh = c.Metrics.ChargeMilliampHours,
                discharge_capacity_mAh = c.Metrics.DischargeMilliampHours,
                coulombic_efficiency = c.Metrics.CoulombicEfficiency,
                charge_energy_mWh = c.Metrics.ChargeMilliwattHours,
                discharge_energy_mWh = c.Metrics.DischargeMilliwattHours,
                energy_efficiency = c.Metrics.EnergyEfficiency,
                mean_charge_voltage_V = c.Metrics.MeanChargeVoltage,
                mean_discharge_voltage_V = c.Metrics.MeanDischargeVoltage,
                charge_areal_capacity_mAh_per_cm2 = area is { } a ? c.Metrics.ChargeMilliampHours / a : (double?)null,
                discharge_areal_capacity_mAh_per_cm2 = area is { } b ? c.Metrics.DischargeMilliampHours / b : (double?)null,
                discharge_fraction_of_nominal = nominal is { } n ? c.Metrics.DischargeAmpSeconds / 3600.0 / n : (double?)null,
                capacity_retention = c.Retention,
            }),
            // The start record the export wrote (software version, instrument, calibration, heater, protocol, cell).
            provenance = report.Sidecar?.Provenance,
        };
    }
}
