using System.Globalization;

namespace Rig.Service.Configuration;

/// <summary>Collects configuration problems as "Key:Path: reason (was value)" lines.</summary>
public sealed class ValidationErrors
{
    private readonly List<string> _errors = [];

    public IReadOnlyList<string> Errors => _errors;

    public bool Any => _errors.Count > 0;

    public void Add(string key, string reason, object? was = null) =>
        _errors.Add(was is null
            ? $"{key}: {reason}"
            : string.Create(CultureInfo.InvariantCulture, $"{key}: {reason} (was {FormatValue(was)})"));

    /// <summary>Adds an error unless <paramref name="low"/> ≤ value ≤ <paramref name="high"/> (and finite).</summary>
    public void InRange(string key, double value, double low, double high, string unit)
    {
        if (!double.IsFinite(value) || value < low || value > high)
        {
            Add(key, string.Create(CultureInfo.InvariantCulture, $"must be between {low} and {high} {unit}"), value);
        }
    }

    /// <summary>Adds an error unless value &gt; 0 (and finite).</summary>
    public void Positive(string key, double value, string unit)
    {
        if (!double.IsFinite(value) || value <= 0)
        {
            Add(key, $"must be greater than 0 {unit}", value);
        }
    }

    public void PositiveDuration(string key, TimeSpan value, TimeSpan max)
    {
        if (value <= TimeSpan.Zero || value > max)
        {
            Add(key, $"must be greater than 0 and at most {max}", value);
        }
    }

    private static string FormatValue(object value) => value switch
    {
        string s => $"'{s}'",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "null",
    };
}
