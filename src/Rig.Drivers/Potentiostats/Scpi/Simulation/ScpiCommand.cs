using System.Globalization;
using System.Text;

namespace Rig.Drivers.Potentiostats.Scpi.Simulation;

/// <summary>
/// One parsed program message unit as an instrument's parser sees it: the header reduced to canonical short forms
/// with optional nodes dropped (":SOURce1:CURRent:LEVel:IMMediate" → "SOUR:CURR"), the numeric suffix of the
/// channel node, and the arguments. SCPI-99 §6.2: each keyword is accepted in its short or its long form only.
/// </summary>
public sealed record ScpiCommand(string Header, bool IsQuery, int Suffix, IReadOnlyList<string> Arguments)
{
    // Long forms; the upper-case prefix is the short form (SCPI-99 §6.2.1).
    private static readonly string[] Keywords =
    [
        "SOURce", "SENSe", "OUTPut", "FUNCtion", "CURRent", "VOLTage", "LEVel", "IMMediate", "AMPLitude", "READ", "BACK",
        "RSENse", "SMODe", "VLIMit", "ILIMit", "TRIPped", "SYSTem", "ERRor", "NEXT", "MEASure", "PROTection", "REMote",
        "MODE", "FORMat", "ELEMents", "STATe", "OFF", "ON", "SCALar", "DATA", "FETCh", "RANGe", "AUTO", "NPLCycles",
    ];

    // Nodes in square brackets in the manuals' syntax: the parser accepts them and ignores them.
    private static readonly HashSet<string> OptionalNodes = ["LEV", "IMM", "AMPL", "STAT", "NEXT", "ON", "SCAL"];

    private static readonly Dictionary<string, string> ShortForms = BuildShortForms();

    /// <summary>Parses one unit; null when a header node is not a keyword (the instrument's -113 Undefined header).</summary>
    public static ScpiCommand? Parse(string unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        var text = unit.Trim();
        var split = text.IndexOfAny([' ', '\t']);
        var header = split < 0 ? text : text[..split];
        var arguments = split < 0 ? [] : SplitArguments(text[(split + 1)..]);
        var isQuery = header.EndsWith('?');
        header = header.TrimEnd('?');
        if (header.StartsWith('*'))
        {
            return new ScpiCommand(header.ToUpperInvariant(), isQuery, 1, arguments);
        }
        var canonical = new List<string>();
        var suffix = 1;
        foreach (var node in header.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var digits = node.Length;
            while (digits > 0 && char.IsAsciiDigit(node[digits - 1]))
            {
                digits--;
            }
            if (!ShortForms.TryGetValue(node[..digits].ToUpperInvariant(), out var shortForm))
            {
                return null;
            }
            if (digits < node.Length)
            {
                suffix = int.Parse(node[digits..], CultureInfo.InvariantCulture);
            }
            if (!OptionalNodes.Contains(shortForm) || canonical.Count == 0)
            {
                canonical.Add(shortForm);
            }
        }
        return canonical.Count == 0 ? null : new ScpiCommand(string.Join(':', canonical), isQuery, suffix, arguments);
    }

    /// <summary>Splits a line into program message units at ';' outside quotes.</summary>
    public static IEnumerable<string> SplitUnits(string line)
    {
        var start = 0;
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == '"')
            {
                quoted = !quoted;
            }
            else if (line[i] == ';' && !quoted)
            {
                yield return line[start..i];
                start = i + 1;
            }
        }
        yield return line[start..];
    }

    public string Argument(int index) => index < Arguments.Count ? Arguments[index] : "";

    private static List<string> SplitArguments(string text)
    {
        var result = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        var depth = 0;
        foreach (var c in text)
        {
            switch (c)
            {
                case '"':
                    quoted = !quoted;
                    current.Append(c);
                    break;
                case '(' when !quoted:
                    depth++;
                    current.Append(c);
                    break;
                case ')' when !quoted:
                    depth--;
                    current.Append(c);
                    break;
                case ',' when !quoted && depth == 0:
                    result.Add(current.ToString().Trim());
                    current.Clear();
                    break;
                default:
                    current.Append(c);
                    break;
            }
        }
        if (current.Length > 0 || result.Count > 0)
        {
            result.Add(current.ToString().Trim());
        }
        return result;
    }

    private static Dictionary<string, string> BuildShortForms()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var keyword in Keywords)
        {
            var shortForm = new string(keyword.TakeWhile(char.IsUpper).ToArray());
            map[shortForm] = shortForm;
            map[keyword.ToUpperInvariant()] = shortForm;
        }
        return map;
    }
}
