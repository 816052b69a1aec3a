using System.Globalization;
using Rig.Files;

namespace Rig.Service.Metrics;

/// <summary>
/// Runs the live engine's metrics (<see cref="CycleMetrics"/>, <see cref="TestMetrics"/>) on a Battery Data Format CSV,
/// ours or another lab's, streaming (memory flat in file length). Rules (docs/metrics.md, "Metrics on anyone's data"):
/// <list type="bullet">
/// <item>Columns by their BDF labels; <c>Current / A</c>, <c>Voltage / V</c> and <c>Test Time / s</c> (or
/// <c>Unix Time / s</c>) are required. Current positive = charging (sodium plating), the BDF convention.</item>
/// <item>Cycles from <c>Cycle Count / 1</c> when present; otherwise a new cycle starts at the first charging row after the
/// cycle has discharged.</item>
/// <item>Capacities from <c>Cycle Charging Capacity / Ah</c> and <c>Cycle Discharging Capacity / Ah</c> (the value at a
/// cycle's last row) when present; else from <c>Charging Capacity / Ah</c> and <c>Discharging Capacity / Ah</c>, whether
/// they run cumulative from test start (the ontology) or restart each cycle (detected at the first cycle boundary);
/// otherwise the trapezoid on the current. Energy is always the trapezoid on V·I over the rows present.</item>
/// <item>A cycle counts when it both charged and discharged.</item>
/// </list>
/// A malformed file throws <see cref="BdfFormatException"/> naming the line and the column.
/// </summary>
public static class BdfAnalyzer
{
    /// <summary>
    /// The largest file analysed: a year at 1 Hz is ~6 GB of CSV. A regular file ends, so this only bounds the time a
    /// mistaken (or hostile) multi-terabyte sparse file could keep a command busy.
    /// </summary>
    public const long MaxBytes = 16L * 1024 * 1024 * 1024;

    public static AnalysisReport Analyze(TextReader reader, string source, int formationCycles = 0)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var header = reader.ReadLine() ?? throw new BdfFormatException(source, 1, null, "the file is empty");
        var columns = SplitCsv(header).Select(c => c.Trim()).ToList();
        int Find(string label) => columns.IndexOf(label);
        int Require(params string[] labels) => labels.Select(Find).FirstOrDefault(i => i >= 0, -1) is var i and >= 0 ? i
            : throw new BdfFormatException(source, 1, null, $"no column {string.Join(" or ", labels.Select(l => $"'{l}'"))} (columns: {string.Join(", ", columns)})");
        var current = Require("Current / A");
        var voltage = Require("Voltage / V");
        var time = Require("Test Time / s", "Unix Time / s");
        var cycleColumn = Find("Cycle Count / 1");
        // The cycle-scope running columns (ontology 1.2.0) hold each cycle's capacities as they are; the test-scope
        // ones need a subtraction at each boundary, and other labs' files may restart them per cycle anyway.
        var perCycle = Find("Cycle Charging Capacity / Ah") >= 0 && Find("Cycle Discharging Capacity / Ah") >= 0;
        var chargeColumn = Find(perCycle ? "Cycle Charging Capacity / Ah" : "Charging Capacity / Ah");
        var dischargeColumn = Find(perCycle ? "Cycle Discharging Capacity / Ah" : "Discharging Capacity / Ah");
        var fromColumns = chargeColumn >= 0 && dischargeColumn >= 0;
        // Optional conditions: what the cell sat at, for a twin calibrated from the file (empty cells are skipped).
        var temperatureColumn = Find("Temperature T1 / degC");
        var pressureColumn = Find("Surface Pressure / Pa");
        var conditions = new ConditionMeans();

        var report = new AnalysisReport(source, [], new TestMetrics(formationCycles), 0);
        var cycle = new CycleAccumulator(1);
        double? lastTime = null, lastAmps = null, lastWatts = null;
        double previousChargeLast = 0, previousDischargeLast = 0;
        bool? cumulative = perCycle ? false : null;
        var line = 1;
        long rows = 0;
        string? text;
        while ((text = reader.ReadLine()) is not null)
        {
            line++;
            if (text.Length == 0)
            {
                continue;
            }
            var cells = SplitCsv(text);
            double Number(int column, bool required = true)
            {
                if (column >= cells.Count || cells[column].Length == 0)
                {
                    return required ? throw new BdfFormatException(source, line, columns[column], "is empty") : double.NaN;
                }
                return double.TryParse(cells[column], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
                    ? value : throw new BdfFormatException(source, line, columns[column], $"'{cells[column]}' is not a number");
            }
            var t = Number(time);
            var amps = Number(current);
            var volts = Number(voltage);
            var number = cycleColumn >= 0 ? (int)Number(cycleColumn) : cycle.Number + (cycle.Discharged && amps > 0 ? 1 : 0);
            if (lastTime is { } previous && t < previous)
            {
                throw new BdfFormatException(source, line, columns[time], $"time goes backwards ({t} after {previous})");
            }
            if (number != cycle.Number)
            {
                Close(report, cycle);
                if (fromColumns)
                {
                    previousChargeLast = cycle.ChargeLast;
                    previousDischargeLast = cycle.DischargeLast;
                }
                cycle = new CycleAccumulator(number);
                lastAmps = lastWatts = null; // a cycle's first row opens it: nothing is integrated across the boundary
            }
            if (fromColumns)
            {
                var charge = Number(chargeColumn);
                var discharge = Number(dischargeColumn);
                if (!cycle.HasColumns && cycle.Number > 1)
                {
                    // Restarting columns fall back at a boundary; cumulative ones never do.
                    cumulative ??= !(charge < previousChargeLast - 1e-15 || discharge < previousDischargeLast - 1e-15);
                    cycle.ChargeBase = cumulative.Value ? previousChargeLast : 0;
                    cycle.DischargeBase = cumulative.Value ? previousDischargeLast : 0;
                }
                cycle.HasColumns = true;
                cycle.ChargeLast = charge;
                cycle.DischargeLast = discharge;
            }
            var watts = amps * volts;
            if (lastTime is { } t0 && lastAmps is { } i0 && lastWatts is { } p0 && t > t0)
            {
                var seconds = t - t0;
                var mean = 0.5 * (i0 + amps);
                if (mean > 0)
                {
                    cycle.ChargeAmpSeconds += Trapezoid.Charge(i0, amps, seconds);
                    cycle.ChargeJoules += Trapezoid.Energy(p0, watts, seconds);
                }
                else if (mean < 0)
                {
                    cycle.DischargeAmpSeconds += Trapezoid.Charge(i0, amps, seconds);
                    cycle.DischargeJoules += Trapezoid.Energy(p0, watts, seconds);
                }
            }
            if (temperatureColumn >= 0)
            {
                conditions.AddTemperature(Number(temperatureColumn, required: false));
            }
            if (pressureColumn >= 0)
            {
                conditions.AddPressure(Number(pressureColumn, required: false));
            }
            cycle.Discharged |= amps < 0;
            (lastTime, lastAmps, lastWatts) = (t, amps, watts);
            rows++;
        }
        Close(report, cycle);
        return report with
        {
            Rows = rows,
            MeanTemperatureCelsius = conditions.Temperature,
            MeanSurfacePressurePascals = conditions.Pressure,
        };
    }

    /// <summary>
    /// Analyses the file at <paramref name="path"/> with its metadata sidecar, if any (<see cref="BdfSidecarInfo"/>):
    /// formation cycles from <paramref name="formationCycles"/>, else the sidecar's, else none.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a regular file of at most <see cref="MaxBytes"/>, or not readable (the message names the file).</exception>
    public static AnalysisReport Analyze(string path, int? formationCycles = null)
    {
        var sidecar = BdfSidecarInfo.Read(path);
        // Only a regular file of bounded size: a FIFO would block the open for ever, a device never end.
        using var reader = new StreamReader(RegularFile.OpenRead(path, MaxBytes));
        return Analyze(reader, path, formationCycles ?? sidecar?.FormationCycles ?? 0) with { Sidecar = sidecar };
    }

    private static void Close(AnalysisReport report, CycleAccumulator cycle)
    {
        var charge = cycle.HasColumns ? (cycle.ChargeLast - cycle.ChargeBase) * 3600 : cycle.ChargeAmpSeconds;
        var discharge = cycle.HasColumns ? (cycle.DischargeLast - cycle.DischargeBase) * 3600 : cycle.DischargeAmpSeconds;
        if (charge <= 0 || discharge <= 0)
        {
            return;
        }
        var metrics = new CycleMetrics(cycle.Number, charge, discharge, cycle.ChargeJoules, cycle.DischargeJoules);
        var retention = report.Test.Add(metrics);
        report.Cycles.Add(new AnalysedCycle(metrics, retention));
    }

    /// <summary>Splits one CSV line (RFC 4180 quotes).</summary>
    private static List<string> SplitCsv(string line)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') { quoted = false; }
                else { cell.Append(c); }
            }
            else if (c == '"') { quoted = true; }
            else if (c == ',') { cells.Add(cell.ToString()); cell.Clear(); }
            else { cell.Append(c); }
        }
        cells.Add(cell.ToString());
        return cells;
    }

    private sealed class ConditionMeans
    {
        private double _temperatureSum;
        private long _temperatures;
        private double _pressureSum;
        private long _pressures;

        public double? Temperature => _temperatures > 0 ? _temperatureSum / _temperatures : null;

        public double? Pressure => _pressures > 0 ? _pressureSum / _pressures : null;

        public void AddTemperature(double celsius)
        {
            if (double.IsFinite(celsius))
            {
                _temperatureSum += celsius;
                _temperatures++;
            }
        }

        public void AddPressure(double pascals)
        {
            if (double.IsFinite(pascals))
            {
                _pressureSum += pascals;
                _pressures++;
            }
        }
    }

    private sealed class CycleAccumulator(int number)
    {
        public int Number { get; } = number;
        public bool Discharged { get; set; }
        public double ChargeAmpSeconds { get; set; }
        public double DischargeAmpSeconds { get; set; }
        public double ChargeJoules { get; set; }
        public double DischargeJoules { get; set; }
        public bool HasColumns { get; set; }
        public double ChargeBase { get; set; }
        public double DischargeBase { get; set; }
        public double ChargeLast { get; set; }
        public double DischargeLast { get; set; }
    }
}

/// <summary>What <see cref="BdfAnalyzer"/> found: every counted cycle with its retention, and the test-level metrics.</summary>
public sealed record AnalysisReport(string Source, List<AnalysedCycle> Cycles, TestMetrics Test, long Rows)
{
    /// <summary>The metadata sidecar read with the file (cell area, nominal capacity, formation cycles, provenance).</summary>
    public BdfSidecarInfo? Sidecar { get; init; }

    /// <summary>Mean of the file's <c>Temperature T1 / degC</c> column over the rows that have one; null without.</summary>
    public double? MeanTemperatureCelsius { get; init; }

    /// <summary>Mean of the file's <c>Surface Pressure / Pa</c> column over the rows that have one; null without.</summary>
    public double? MeanSurfacePressurePascals { get; init; }

    /// <summary>The formation cycles retention was computed with.</summary>
    public int FormationCycles => Test.FormationCycles;
}

public sealed record AnalysedCycle(CycleMetrics Metrics, double? Retention);

/// <summary>A BDF file that cannot be analysed: where (line, column) and why.</summary>
public sealed class BdfFormatException(string source, int line, string? column, string problem)
    : Exception($"{source}:{line}{(column is null ? "" : $", column '{column}'")}: {problem}")
{
    public int Line { get; } = line;

    public string? Column { get; } = column;
}
