using System.Text.Json;

namespace Rig.Service.Telemetry.Commands;

/// <summary>A command's JSON object, read strictly: only the verb's known properties, each of the right type.</summary>
public sealed class CommandArguments
{
    private readonly JsonElement _root;

    private CommandArguments(JsonElement root) => _root = root;

    /// <summary>Parses and checks the property names; null and <paramref name="why"/> when the payload is unusable.</summary>
    public static CommandArguments? Parse(ReadOnlySpan<byte> payload, IReadOnlyCollection<string> allowed, out string why)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        JsonElement root;
        var reader = new Utf8JsonReader(payload.IsEmpty ? "{}"u8 : payload, new JsonReaderOptions { MaxDepth = 8 });
        try
        {
            root = JsonElement.ParseValue(ref reader);
            // Exactly one JSON value: '{"channel":"ch1"}}' must not run as '{"channel":"ch1"}'.
            if (reader.Read())
            {
                why = $"malformed JSON: something follows the object (at byte {reader.TokenStartIndex})";
                return null;
            }
        }
        catch (JsonException ex)
        {
            // The reader's own text is for developers; the requester gets where it went wrong.
            why = ex.BytePositionInLine is { } at
                ? $"malformed JSON at line {(ex.LineNumber ?? 0) + 1}, byte {at + 1}"
                : "malformed JSON";
            return null;
        }
        if (root.ValueKind != JsonValueKind.Object)
        {
            why = "the payload must be a JSON object";
            return null;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (!allowed.Contains(property.Name))
            {
                why = $"unknown property '{Printable(property.Name)}' (allowed: {string.Join(", ", allowed)})";
                return null;
            }
            if (!seen.Add(property.Name))
            {
                why = $"property '{property.Name}' is given twice";
                return null;
            }
            if (CommandFields.Problem(property) is { } wrong)
            {
                why = wrong;
                return null;
            }
        }
        why = "";
        return new CommandArguments(root);
    }

    // A name the requester sent, echoed without control characters and at a bounded length.
    private static string Printable(string name) =>
        new([.. name.Take(CommandFields.MaxIdLength).Select(c => char.IsControl(c) ? '?' : c)]);

    public bool Has(string name) => _root.TryGetProperty(name, out var p) && p.ValueKind != JsonValueKind.Null;

    /// <summary>A string property; <paramref name="why"/> set when present but not a non-empty string, or required and missing.</summary>
    public string? String(string name, bool required, ref string? why)
    {
        if (!_root.TryGetProperty(name, out var p) || p.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                why ??= $"'{name}' is required";
            }
            return null;
        }
        if (p.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(p.GetString()))
        {
            why ??= $"'{name}' must be a non-empty string";
            return null;
        }
        return p.GetString();
    }

    public double? Number(string name, bool required, ref string? why)
    {
        if (!_root.TryGetProperty(name, out var p) || p.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                why ??= $"'{name}' is required";
            }
            return null;
        }
        if (p.ValueKind != JsonValueKind.Number || !p.TryGetDouble(out var number) || !double.IsFinite(number))
        {
            why ??= $"'{name}' must be a number";
            return null;
        }
        return number;
    }

    /// <summary>A true/false property; null when absent.</summary>
    public bool? Boolean(string name, ref string? why)
    {
        if (!_root.TryGetProperty(name, out var p) || p.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (p.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            why ??= $"'{name}' must be true or false";
            return null;
        }
        return p.GetBoolean();
    }

    /// <summary>An object of string values (protocol parameters such as "capacity": "3 mAh/cm2").</summary>
    public Dictionary<string, string>? StringMap(string name, ref string? why)
    {
        if (!_root.TryGetProperty(name, out var p) || p.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (p.ValueKind != JsonValueKind.Object)
        {
            why ??= $"'{name}' must be an object of strings";
            return null;
        }
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in p.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
            {
                why ??= $"'{name}.{entry.Name}' must be a string (with its unit, e.g. \"3 mAh/cm2\")";
                return null;
            }
            map[entry.Name] = entry.Value.GetString()!;
        }
        return map;
    }
}
