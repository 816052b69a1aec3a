using System.Globalization;

namespace Rig.Service.Engine.Protocols;

/// <summary>
/// A parameter override has the type of the protocol's own default: a whole number for a whole number, one
/// quantity of the same kind for a quantity ("capacity": "3 mAh/cm2" takes a capacity, not "1 s"). Parameters are
/// substituted as text, so without this an override could smuggle words into a step ("1 mA/cm2 for 1 s" adds an
/// end the protocol never had). A per-area amount may be overridden by an absolute one and back (mA/cm2 ↔ mA,
/// mAh/cm2 ↔ mAh): the step accepts both.
/// </summary>
public static class ParameterTypes
{
    /// <summary>Null when <paramref name="value"/> may replace <paramref name="declared"/>, else why not.</summary>
    public static string? OverrideProblem(string declared, string value)
    {
        ArgumentNullException.ThrowIfNull(declared);
        ArgumentNullException.ThrowIfNull(value);
        if (IsWholeNumber(declared))
        {
            return IsWholeNumber(value) ? null : $"must be a whole number (the protocol's default is \"{declared}\")";
        }
        if (One(declared, out var expected, out _) is not true)
        {
            return $"cannot be overridden: its default \"{declared}\" is not a number or a quantity";
        }
        if (One(value, out var given, out var problem) is not true)
        {
            return $"must be one {Describe(expected)} such as \"{declared}\" ({problem})";
        }
        return Family(given) == Family(expected) ? null : $"is a {Describe(given)}; the protocol expects a {Describe(expected)} (default \"{declared}\")";
    }

    private static bool IsWholeNumber(string text) =>
        int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out _);

    private static bool? One(string text, out QuantityKind kind, out string problem)
    {
        var words = Quantity.Tokenize(text);
        var position = 0;
        kind = default;
        if (!Quantity.TryRead(words, ref position, out var quantity, out problem))
        {
            return false;
        }
        if (position != words.Count)
        {
            problem = $"only one number and its unit, found '{string.Join(' ', words.Skip(position))}' after it";
            return false;
        }
        kind = quantity.Kind;
        return true;
    }

    private static QuantityKind Family(QuantityKind kind) => kind switch
    {
        QuantityKind.Current => QuantityKind.CurrentDensity,
        QuantityKind.Charge => QuantityKind.ArealCapacity,
        _ => kind,
    };

    private static string Describe(QuantityKind kind) => Family(kind) switch
    {
        QuantityKind.CurrentDensity => "current (mA/cm2 or mA)",
        QuantityKind.ArealCapacity => "capacity (mAh/cm2 or mAh)",
        QuantityKind.Voltage => "voltage (V, mV)",
        QuantityKind.Duration => "time (s, min, h)",
        QuantityKind.SweepRate => "sweep rate (mV/s, V/s)",
        QuantityKind.Percent => "percentage (%)",
        QuantityKind.Pressure => "pressure (MPa)",
        QuantityKind.Temperature => "temperature (°C)",
        _ => kind.ToString(),
    };
}
