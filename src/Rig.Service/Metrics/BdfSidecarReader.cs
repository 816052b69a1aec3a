using System.Text.Json;
using Rig.Files;
using Rig.Service.Engine.Protocols;

namespace Rig.Service.Metrics;

/// <summary>
/// What <c>analyze</c> takes from the metadata sidecar beside a BDF file (<c>x.bdf.csv</c> → <c>x.bdf.metadata.json</c>,
/// the BDF package's naming): the block <c>extras.anodefreerig</c> our export writes, which another lab can write too
/// (docs/metrics.md). Every field is optional; a sidecar that is not JSON, or a field of the wrong type, is refused
/// naming the file and the field, so a metric is never computed on a silently ignored setting.
/// </summary>
public sealed record BdfSidecarInfo(
    string Path,
    double? CellAreaCm2,
    double? NominalCapacityAmpHours,
    int? FormationCycles,
    JsonElement? Provenance)
{
    /// <summary>The stop record the export wrote (how the test ended, its test-level metrics); a twin calibration reads the CCD from it.</summary>
    public JsonElement? End { get; init; }

    public static string SidecarPathOf(string dataPath)
    {
        ArgumentNullException.ThrowIfNull(dataPath);
        // Path.with_suffix(".metadata.json") in the BDF package: the last extension gives way.
        var directory = System.IO.Path.GetDirectoryName(dataPath) ?? "";
        return System.IO.Path.Combine(directory, System.IO.Path.GetFileNameWithoutExtension(dataPath) + ".metadata.json");
    }

    /// <summary>The sidecar of <paramref name="dataPath"/>, or null when there is none.</summary>
    public static BdfSidecarInfo? Read(string dataPath)
    {
        var path = SidecarPathOf(dataPath);
        if (!File.Exists(path))
        {
            return null;
        }
        string text;
        try
        {
            // Regular files only, bounded in size and time (a FIFO or /dev/zero in its place must not hang the analysis).
            text = BoundedFile.ReadAllText(path, 16 * 1024 * 1024, TimeSpan.FromSeconds(30));
        }
        catch (InvalidDataException ex)
        {
            throw new BdfFormatException(path, 1, null, $"the metadata sidecar cannot be read: {ex.Message}");
        }
        JsonDocument document;
        var options = new JsonDocumentOptions { MaxDepth = 64 };
        try
        {
            document = JsonDocument.Parse(text, options);
        }
        catch (JsonException ex)
        {
            var error = JsonSyntaxError.Describe(text, ex, options);
            throw new BdfFormatException(path, error.Line, null, $"the metadata sidecar is not valid JSON: {error.Message}");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new BdfFormatException(path, 1, null, "the metadata sidecar must be a JSON object");
            }
            if (!document.RootElement.TryGetProperty("extras", out var extras) || extras.ValueKind != JsonValueKind.Object
                || !extras.TryGetProperty("anodefreerig", out var ours) || ours.ValueKind != JsonValueKind.Object)
            {
                return new BdfSidecarInfo(path, null, null, null, null);
            }
            var cell = ours.TryGetProperty("cell", out var c) && c.ValueKind == JsonValueKind.Object ? c : default;
            var area = Number(path, cell, "cell.area_cm2", "area_cm2");
            if (area is <= 0)
            {
                throw new BdfFormatException(path, 1, "extras.anodefreerig.cell.area_cm2", $"must be positive (was {area})");
            }
            var nominal = Number(path, cell, "cell.nominal_capacity_ah", "nominal_capacity_ah");
            if (nominal is <= 0)
            {
                throw new BdfFormatException(path, 1, "extras.anodefreerig.cell.nominal_capacity_ah", $"must be positive (was {nominal})");
            }
            var formation = Number(path, ours, "formation_cycles", "formation_cycles");
            if (formation is { } f && (f < 0 || f != Math.Floor(f) || f > 100_000))
            {
                throw new BdfFormatException(path, 1, "extras.anodefreerig.formation_cycles", $"must be a whole number >= 0 (was {f})");
            }
            JsonElement? provenance = ours.TryGetProperty("start", out var start) && start.ValueKind == JsonValueKind.Object ? start.Clone() : null;
            JsonElement? end = ours.TryGetProperty("end", out var stop) && stop.ValueKind == JsonValueKind.Object ? stop.Clone() : null;
            return new BdfSidecarInfo(path, area, nominal, formation is { } whole ? (int)whole : null, provenance) { End = end };
        }
    }

    private static double? Number(string path, JsonElement parent, string field, string name)
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number)
            ? number
            : throw new BdfFormatException(path, 1, $"extras.anodefreerig.{field}", $"must be a number (was {value.GetRawText()})");
    }
}
