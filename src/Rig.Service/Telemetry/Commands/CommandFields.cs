using System.Text.Json;

namespace Rig.Service.Telemetry.Commands;

/// <summary>
/// The type and bounds of every command property the built-in verbs (and the shipped areas) use, checked when the
/// payload is parsed, before any verb runs: a wrong type (<c>"reason": 5</c>), a number that is not finite or out of
/// its physical range, an over-long or control-character-laden string are refused naming the property, so no
/// property is ever silently ignored. A property not listed here is left to its area, which validates it.
/// </summary>
public static class CommandFields
{
    private enum Kind { Id, Text, LongText, Number, Boolean, StringMap }

    private static readonly Dictionary<string, (Kind Kind, double Min, double Max)> Fields = new(StringComparer.Ordinal)
    {
        ["channel"] = (Kind.Id, 0, 0),
        ["zone"] = (Kind.Id, 0, 0),
        ["device"] = (Kind.Id, 0, 0),
        ["preset"] = (Kind.Id, 0, 0),
        ["test_id"] = (Kind.Id, 0, 0),
        // A seq stream name has a slash ("ch1/telemetry"); the replay verb checks it against the rig's streams.
        ["stream"] = (Kind.Text, 0, 0),
        ["reason"] = (Kind.Text, 0, 0),
        ["operator"] = (Kind.Text, 0, 0),
        ["notes"] = (Kind.LongText, 0, 0),
        ["protocol"] = (Kind.LongText, 0, 0),
        ["parameters"] = (Kind.StringMap, 0, 0),
        ["setpoint_degC"] = (Kind.Number, -273.15, 1_000),
        ["target_degC"] = (Kind.Number, -273.15, 1_000),
        ["reference_force_N"] = (Kind.Number, -1e6, 1e6),
        ["from_seq"] = (Kind.Number, 0, 9_007_199_254_740_992),
        ["to_seq"] = (Kind.Number, 0, 9_007_199_254_740_992),
        ["kp_per_K"] = (Kind.Number, -1e9, 1e9),
        ["ki_per_K_s"] = (Kind.Number, -1e9, 1e9),
        ["kd_s_per_K"] = (Kind.Number, -1e9, 1e9),
        ["force"] = (Kind.Boolean, 0, 0),
        ["file"] = (Kind.Id, 0, 0),
        ["formation_cycles"] = (Kind.Number, 0, 10_000),
        ["part"] = (Kind.Number, 0, 100_000),
    };

    /// <summary>Longest id (channel, zone, test id...), reason or operator name, and notes, in characters.</summary>
    public const int MaxIdLength = 128;
    public const int MaxTextLength = 512;
    public const int MaxParameters = 64;

    /// <summary>Null when <paramref name="property"/> has its documented type and bounds (or is not listed), else why not.</summary>
    public static string? Problem(JsonProperty property)
    {
        var name = property.Name;
        var value = property.Value;
        if (value.ValueKind == JsonValueKind.Null || !Fields.TryGetValue(name, out var field))
        {
            return null;
        }
        return field.Kind switch
        {
            Kind.Id => value.ValueKind != JsonValueKind.String ? $"'{name}' must be a string"
                : value.GetString()!.Length > MaxIdLength ? $"'{name}' is longer than {MaxIdLength} characters"
                : value.GetString()!.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || c is '/' or '+' or '#') ? $"'{name}' must not contain spaces, control characters, '/', '+' or '#'"
                : null,
            Kind.Text => value.ValueKind != JsonValueKind.String ? $"'{name}' must be a string"
                : value.GetString()!.Length > MaxTextLength ? $"'{name}' is longer than {MaxTextLength} characters"
                : value.GetString()!.Any(c => char.IsControl(c)) ? $"'{name}' must not contain control characters"
                : null,
            Kind.LongText => value.ValueKind != JsonValueKind.String ? $"'{name}' must be a string" : null,
            Kind.Number => value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !double.IsFinite(number)
                    ? $"'{name}' must be a finite number"
                : number < field.Min || number > field.Max ? $"'{name}' must be between {field.Min} and {field.Max} (was {number})"
                : null,
            Kind.Boolean => value.ValueKind is JsonValueKind.True or JsonValueKind.False ? null : $"'{name}' must be true or false",
            Kind.StringMap => MapProblem(name, value),
            _ => null,
        };
    }

    private static string? MapProblem(string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            return $"'{name}' must be an object of strings";
        }
        var count = 0;
        foreach (var entry in value.EnumerateObject())
        {
            if (++count > MaxParameters)
            {
                return $"'{name}' has more than {MaxParameters} entries";
            }
            if (entry.Value.ValueKind != JsonValueKind.String)
            {
                return $"'{name}.{entry.Name}' must be a string (with its unit, e.g. \"3 mAh/cm2\")";
            }
            if (entry.Name.Length > MaxIdLength || entry.Value.GetString()!.Length > MaxIdLength)
            {
                return $"'{name}.{entry.Name}' is longer than {MaxIdLength} characters";
            }
        }
        return null;
    }
}
