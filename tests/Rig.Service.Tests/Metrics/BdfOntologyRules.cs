using System.Globalization;
using System.Text.Json;

namespace Rig.Service.Tests.Metrics;

/// <summary>
/// The Battery Data Format ontology's rules, read as data from Bdf/bdf-ontology-1.3.0.json (extracted from the Battery
/// Data Alliance's schema/schema.json and battery-data-format.ttl, release 1.3.0; the file names its source commit):
/// labels, units, datatypes and minima, required and deprecated columns, and which columns are running totals over
/// which scope (test, cycle, step) and direction. <see cref="Check"/> returns every violation in a BDF CSV.
/// </summary>
internal sealed class BdfOntologyRules
{
    // Top-level keys the BDF package's Metadata model declares; it refuses any other in a sidecar.
    public static readonly string[] SidecarKeys =
        ["battinfo_test", "battinfo_cell", "battinfo_channel", "battinfo_equipment", "battinfo_test_protocol", "bdf", "raw", "extras"];

    private readonly Dictionary<string, JsonElement> _byLabel = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _labelUnits = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _stepTypeDirections = new(StringComparer.Ordinal);

    public BdfOntologyRules()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Metrics", "Bdf", "bdf-ontology-1.3.0.json")));
        var root = document.RootElement.Clone();
        foreach (var column in root.GetProperty("columns").EnumerateArray())
        {
            _byLabel[column.GetProperty("label").GetString()!] = column;
        }
        foreach (var unit in root.GetProperty("label_units").EnumerateObject())
        {
            _labelUnits[unit.Name] = unit.Value.GetString()!;
        }
        foreach (var type in root.GetProperty("step_type_directions").EnumerateObject())
        {
            _stepTypeDirections[type.Name] = type.Value.GetString()!;
        }
        TimeColumns = [.. root.GetProperty("time_columns_one_required").EnumerateArray().Select(e => e.GetString()!)];
        Required = [.. _byLabel.Where(c => Bool(c.Value, "required")).Select(c => c.Key)];
        Recommended = [.. _byLabel.Where(c => Text(c.Value, "obligation") == "recommended").Select(c => c.Key)];
    }

    public IReadOnlyList<string> TimeColumns { get; }

    public IReadOnlyList<string> Required { get; }

    public IReadOnlyList<string> Recommended { get; }

    public bool IsOntologyLabel(string label) => _byLabel.ContainsKey(label);

    public bool IsDeprecated(string label) => _byLabel.TryGetValue(label, out var c) && Bool(c, "deprecated");

    /// <summary>Every way the file breaks the ontology's rules; <paramref name="custom"/> are the labels the sidecar declares.</summary>
    public List<string> Check(string path, IReadOnlySet<string> custom, double currentToleranceAmperes)
    {
        var problems = new List<string>();
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        foreach (var label in header)
        {
            if (custom.Contains(label))
            {
                continue;
            }
            if (!_byLabel.TryGetValue(label, out var column))
            {
                problems.Add($"'{label}' is neither an ontology label nor declared in the sidecar");
                continue;
            }
            if (Bool(column, "deprecated"))
            {
                problems.Add($"'{label}' is deprecated in the ontology");
            }
            var unit = label.Contains(" / ", StringComparison.Ordinal) ? label[(label.LastIndexOf(" / ", StringComparison.Ordinal) + 3)..] : null;
            var ucum = Text(column, "unit");
            if (unit is not null && (!_labelUnits.TryGetValue(unit, out var mapped) || mapped != ucum))
            {
                problems.Add($"'{label}': label unit '{unit}' is not the ontology's unit {ucum}");
            }
        }
        problems.AddRange(Required.Where(r => !header.Contains(r)).Select(r => $"required column '{r}' is missing"));
        if (!TimeColumns.Any(header.Contains))
        {
            problems.Add($"none of {string.Join(", ", TimeColumns)}");
        }

        int Index(string label) => Array.IndexOf(header, label);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        for (var c = 0; c < header.Length; c++)
        {
            if (!_byLabel.TryGetValue(header[c], out var column))
            {
                continue;
            }
            var type = Text(column, "datatype");
            double? minimum = column.TryGetProperty("minimum", out var m) ? m.GetDouble() : null;
            for (var r = 0; r < rows.Count; r++)
            {
                var cell = rows[r][c];
                if (cell.Length == 0)
                {
                    if (Bool(column, "required"))
                    {
                        problems.Add($"row {r + 2}: required '{header[c]}' is empty");
                    }
                    continue;
                }
                if (type is "decimal" or "integer")
                {
                    var ok = type == "integer"
                        ? long.TryParse(cell, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole) && (minimum is null || whole >= minimum)
                        : double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) && (minimum is null || number >= minimum);
                    if (!ok)
                    {
                        problems.Add($"row {r + 2}: '{header[c]}' = '{cell}' is not an {type} >= {minimum?.ToString(CultureInfo.InvariantCulture) ?? "-inf"}");
                    }
                }
            }
        }

        double Value(string[] row, int column) => column >= 0 && row[column].Length > 0 ? double.Parse(row[column], CultureInfo.InvariantCulture) : double.NaN;
        var time = Index("Test Time / s");
        var unix = Index("Unix Time / s");
        var cycle = Index("Cycle Count / 1");
        var stepCount = Index("Step Count / 1");
        var record = Index("Record Index / 1");
        var stepType = Index("Step Type");
        var current = Index("Current / A");
        for (var r = 1; r < rows.Count; r++)
        {
            var (before, row) = (rows[r - 1], rows[r]);
            var at = $"row {r + 2}";
            // Test time stands still over a pause (it counts running time only), so an instant is the pair with Unix time.
            if (Value(row, time) < Value(before, time))
            {
                problems.Add($"{at}: Test Time goes back ({Value(before, time)} then {Value(row, time)})");
            }
            if (Value(row, time) == Value(before, time) && (unix < 0 || Value(row, unix) == Value(before, unix)))
            {
                problems.Add($"{at}: the instant of row {r + 1} written twice (Test Time {Value(row, time)})");
            }
            if (Value(row, unix) < Value(before, unix))
            {
                problems.Add($"{at}: Unix Time goes back");
            }
            if (Value(row, cycle) < Value(before, cycle))
            {
                problems.Add($"{at}: Cycle Count decreases");
            }
            if (Value(row, stepCount) - Value(before, stepCount) is < 0 or > 1)
            {
                problems.Add($"{at}: Step Count moves by other than 0 or 1");
            }
            if (record >= 0 && Value(row, record) != Value(before, record) + 1)
            {
                problems.Add($"{at}: Record Index does not count by one");
            }
            foreach (var (label, column) in _byLabel)
            {
                var c = Index(label);
                if (c < 0 || Text(column, "accumulates") is not { } scope)
                {
                    continue;
                }
                var sameScope = scope switch
                {
                    "test" => true,
                    "cycle" => Value(row, cycle) == Value(before, cycle),
                    "step" => Value(row, stepCount) == Value(before, stepCount),
                    _ => false,
                };
                var change = Value(row, c) - Value(before, c);
                if (sameScope && change < -1e-15 * Math.Abs(Value(before, c)))
                {
                    problems.Add($"{at}: running total '{label}' ({scope} scope) decreases by {-change}");
                }
                if (sameScope && change > 0 && Text(column, "direction") is { } direction && stepType >= 0
                    && _stepTypeDirections.GetValueOrDefault(row[stepType]) != direction)
                {
                    problems.Add($"{at}: '{label}' grows on a {row[stepType]} row");
                }
            }
            if (stepType >= 0 && current >= 0)
            {
                var amperes = Value(row, current);
                var contradicts = _stepTypeDirections.GetValueOrDefault(row[stepType]) switch
                {
                    "charging" => amperes < -currentToleranceAmperes,
                    "discharging" => amperes > currentToleranceAmperes,
                    "none" => Math.Abs(amperes) > currentToleranceAmperes,
                    _ => false,
                };
                if (contradicts)
                {
                    problems.Add($"{at}: Step Type {row[stepType]} with Current {amperes} A");
                }
            }
        }
        return problems;
    }

    private static bool Bool(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
