using System.Globalization;

namespace Rig.Service.Engine.Protocols;

public enum QuantityKind
{
    CurrentDensity,
    Current,
    ArealCapacity,
    Charge,
    Voltage,
    Duration,
    SweepRate,
    Percent,
    Pressure,
    Temperature,
}

/// <summary>
/// A number with its unit as a protocol writes it, normalised to one unit per kind: mA/cm², mA, mAh/cm², mAh, V,
/// s, V/s, fraction (80 % = 0.8), MPa, °C. Only the parser sees this; steps get UnitsNet types.
/// </summary>
public readonly record struct Quantity(QuantityKind Kind, double Magnitude)
{
    private static readonly Dictionary<string, (QuantityKind Kind, double Factor)> Units = new(StringComparer.Ordinal)
    {
        ["ma/cm2"] = (QuantityKind.CurrentDensity, 1),
        ["ua/cm2"] = (QuantityKind.CurrentDensity, 1e-3),
        ["a/cm2"] = (QuantityKind.CurrentDensity, 1e3),
        ["a"] = (QuantityKind.Current, 1e3),
        ["ma"] = (QuantityKind.Current, 1),
        ["ua"] = (QuantityKind.Current, 1e-3),
        ["mah/cm2"] = (QuantityKind.ArealCapacity, 1),
        ["uah/cm2"] = (QuantityKind.ArealCapacity, 1e-3),
        ["ah"] = (QuantityKind.Charge, 1e3),
        ["mah"] = (QuantityKind.Charge, 1),
        ["uah"] = (QuantityKind.Charge, 1e-3),
        ["v"] = (QuantityKind.Voltage, 1),
        ["mv"] = (QuantityKind.Voltage, 1e-3),
        ["s"] = (QuantityKind.Duration, 1),
        ["sec"] = (QuantityKind.Duration, 1),
        ["min"] = (QuantityKind.Duration, 60),
        ["h"] = (QuantityKind.Duration, 3600),
        ["hr"] = (QuantityKind.Duration, 3600),
        ["hours"] = (QuantityKind.Duration, 3600),
        ["hour"] = (QuantityKind.Duration, 3600),
        ["d"] = (QuantityKind.Duration, 86400),
        ["days"] = (QuantityKind.Duration, 86400),
        ["v/s"] = (QuantityKind.SweepRate, 1),
        ["mv/s"] = (QuantityKind.SweepRate, 1e-3),
        ["%"] = (QuantityKind.Percent, 0.01),
        ["mpa"] = (QuantityKind.Pressure, 1),
        ["kpa"] = (QuantityKind.Pressure, 1e-3),
        ["bar"] = (QuantityKind.Pressure, 0.1),
        ["degc"] = (QuantityKind.Temperature, 1),
        ["c"] = (QuantityKind.Temperature, 1),
    };

    /// <summary>Every unit the reader knows, for error messages.</summary>
    public static string KnownUnits => "mA/cm2, mA, A, mAh/cm2, mAh, V, mV, s, min, h, mV/s, %, MPa, °C";

    /// <summary>Splits step text into lower-case words with numbers and units apart ("1mA/cm²" → "1", "ma/cm2").</summary>
    public static List<string> Tokenize(string text)
    {
        var normalised = text.ToLowerInvariant()
            .Replace('²', '2').Replace('µ', 'u').Replace('μ', 'u')
            .Replace("°c", "degc", StringComparison.Ordinal).Replace("°", "deg", StringComparison.Ordinal)
            .Replace('(', ' ').Replace(')', ' ').Replace(',', ' ');
        var spaced = new System.Text.StringBuilder(normalised.Length + 8);
        for (var i = 0; i < normalised.Length; i++)
        {
            var c = normalised[i];
            spaced.Append(c);
            if (char.IsDigit(c) && i + 1 < normalised.Length && (char.IsLetter(normalised[i + 1]) || normalised[i + 1] == '%'))
            {
                spaced.Append(' ');
            }
        }
        return [.. spaced.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)];
    }

    /// <summary>Reads "number unit" at <paramref name="position"/>; on success moves past it.</summary>
    public static bool TryRead(IReadOnlyList<string> words, ref int position, out Quantity quantity, out string problem)
    {
        quantity = default;
        if (position >= words.Count)
        {
            problem = "a quantity is missing at the end";
            return false;
        }
        if (!double.TryParse(words[position], NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            problem = $"expected a number, found '{words[position]}'";
            return false;
        }
        if (position + 1 >= words.Count)
        {
            problem = $"'{words[position]}' has no unit (known: {KnownUnits})";
            return false;
        }
        var unit = words[position + 1];
        if (!Units.TryGetValue(unit, out var known))
        {
            problem = $"unknown unit '{unit}' (known: {KnownUnits})";
            return false;
        }
        var magnitude = number * known.Factor;
        if (QuantityRanges.Problem(known.Kind, magnitude) is { } outside)
        {
            problem = $"'{words[position]} {unit}': {outside}";
            return false;
        }
        quantity = new Quantity(known.Kind, magnitude);
        position += 2;
        problem = "";
        return true;
    }

    /// <summary>Parses a whole string as one quantity of an expected kind.</summary>
    public static bool TryParse(string text, QuantityKind expected, out double magnitude, out string problem)
    {
        var words = Tokenize(text);
        var position = 0;
        magnitude = 0;
        if (!TryRead(words, ref position, out var quantity, out problem))
        {
            return false;
        }
        if (quantity.Kind != expected || position != words.Count)
        {
            problem = $"expected one {expected} quantity";
            return false;
        }
        magnitude = quantity.Magnitude;
        return true;
    }
}
