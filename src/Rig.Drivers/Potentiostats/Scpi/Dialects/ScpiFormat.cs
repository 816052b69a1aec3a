using System.Globalization;

namespace Rig.Drivers.Potentiostats.Scpi.Dialects;

/// <summary>Numbers as SCPI &lt;NRf&gt; (IEEE 488.2 §7.7.2): invariant culture, round-trip precision, no unit suffix.</summary>
internal static class ScpiFormat
{
    public static string Number(double number) => number.ToString("G9", CultureInfo.InvariantCulture);

    public static double ParseNumber(string text, string what) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new FormatException($"{what}: '{text}' is not a number");

    /// <summary>"1", "ON" → true; "0", "OFF" → false (boolean responses are 0/1, IEEE 488.2 §8.7.1).</summary>
    public static bool ParseBoolean(string text, string what) => text.Trim().ToUpperInvariant() switch
    {
        "1" or "ON" => true,
        "0" or "OFF" => false,
        _ => throw new FormatException($"{what}: '{text}' is not a boolean"),
    };

    public static string[] Fields(string answer, int count, string what)
    {
        var fields = answer.Split(',', StringSplitOptions.TrimEntries);
        return fields.Length >= count ? fields : throw new FormatException($"{what}: '{answer}' has {fields.Length} fields, {count} expected");
    }

    public static void CheckMagnitude(double magnitude, double max, string parameter, string unit)
    {
        if (!double.IsFinite(magnitude) || Math.Abs(magnitude) > max)
        {
            throw new ArgumentOutOfRangeException(parameter, magnitude, $"beyond the instrument's ±{Number(max)} {unit}");
        }
    }

    public static void CheckLimit(double limit, double max, string parameter, string unit)
    {
        if (!double.IsFinite(limit) || limit <= 0 || limit > max)
        {
            throw new ArgumentOutOfRangeException(parameter, limit, $"a compliance limit must be above 0 and at most {Number(max)} {unit}");
        }
    }
}
