using System.Globalization;
using System.Text.Json;
using Rig.Drivers.Quantities;
using UnitsNet;

namespace Rig.Service.Engine.Protocols;

public static partial class ProtocolCompiler
{
    /// <summary>Parameter substitution and error collection while reading one document.</summary>
    private sealed class Context(Dictionary<string, string> parameters, List<ProtocolError> errors)
    {
        public List<ProtocolError> Errors { get; } = errors;

        public HashSet<string> Used { get; } = new(StringComparer.Ordinal);

        public string? Substitute(string text, string where)
        {
            var ok = true;
            var result = ParameterReference().Replace(text, match =>
            {
                var name = match.Groups[1].Value;
                if (parameters.TryGetValue(name, out var replacement))
                {
                    Used.Add(name);
                    return replacement;
                }
                ok = false;
                Errors.Add(new(where, text, $"unknown parameter ${{{name}}} (declared: {string.Join(", ", parameters.Keys)})"));
                return match.Value;
            });
            return ok ? result : null;
        }

        public string? String(JsonElement parent, string property, string where)
        {
            if (!parent.TryGetProperty(property, out var element))
            {
                return null;
            }
            if (element.ValueKind != JsonValueKind.String)
            {
                Errors.Add(new(where, element.GetRawText(), "must be a string"));
                return null;
            }
            return Substitute(element.GetString()!, where);
        }

        public int Integer(JsonElement element, string where)
        {
            var text = element.ValueKind == JsonValueKind.String ? Substitute(element.GetString()!, where) : element.GetRawText();
            if (text is not null && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number >= 0)
            {
                return number;
            }
            Errors.Add(new(where, text ?? element.GetRawText(), "must be a whole number"));
            return 0;
        }

        public double? Single(string text, QuantityKind kind, string where)
        {
            if (Quantity.TryParse(text, kind, out var magnitude, out var problem))
            {
                return magnitude;
            }
            Errors.Add(new(where, text, problem));
            return null;
        }

        public TimeSpan? Duration(string text, string where) =>
            Single(text, QuantityKind.Duration, where) is { } seconds ? TimeSpan.FromSeconds(seconds) : null;

        public CurrentAmount? Current(string text, string where)
        {
            if (Quantity.TryParse(text, QuantityKind.CurrentDensity, out var density, out _))
            {
                return CurrentAmount.Of(CurrentDensity.FromMilliampsPerSquareCentimetre(density));
            }
            if (Quantity.TryParse(text, QuantityKind.Current, out var milliamps, out _))
            {
                return CurrentAmount.Of(ElectricCurrent.FromMilliamperes(milliamps));
            }
            Errors.Add(new(where, text, "expected a current such as \"10 mA/cm2\" or \"5 mA\""));
            return null;
        }

        public (double Low, double High)? Range(string text, QuantityKind kind, string where)
        {
            var words = Quantity.Tokenize(text);
            var position = 0;
            if (Quantity.TryRead(words, ref position, out var low, out _) && position < words.Count && words[position++] == "to"
                && Quantity.TryRead(words, ref position, out var high, out _) && position == words.Count
                && low.Kind == kind && high.Kind == kind)
            {
                if (low.Magnitude < high.Magnitude)
                {
                    return (low.Magnitude, high.Magnitude);
                }
                Errors.Add(new(where, text, "the low end must be below the high end"));
                return null;
            }
            Errors.Add(new(where, text, $"expected a range such as \"low to high\" in {kind} units"));
            return null;
        }
    }
}
