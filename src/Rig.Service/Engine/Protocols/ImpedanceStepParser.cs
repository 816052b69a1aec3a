using System.Globalization;
using System.Text.RegularExpressions;
using Rig.Drivers.Impedance;
using UnitsNet;

namespace Rig.Service.Engine.Protocols;

/// <summary>
/// Reads an impedance step:
/// <code>
/// Impedance from &lt;f&gt; to &lt;f&gt; at &lt;amplitude&gt;, &lt;n&gt; points per decade [, at OCV | , bias &lt;V&gt;] [, every &lt;N&gt; cycles]
/// </code>
/// e.g. the paper's "Impedance from 1 MHz to 1 Hz at 30 mV, 10 points per decade". Frequencies take Hz, kHz, MHz
/// and mHz, case-sensitive (MHz and mHz differ by 10⁹). Without "bias" the sweep is at the cell's open-circuit
/// voltage: a fixed 0 V across a cell whose OCV is not zero would drive d.c. current through it for the whole sweep.
/// </summary>
public static partial class ImpedanceStepParser
{
    public static bool IsImpedance(string text) =>
        text.TrimStart().StartsWith("impedance", StringComparison.OrdinalIgnoreCase);

    public static StepDefinition? TryParse(string text, out string problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        var match = Pattern().Match(text.Trim());
        if (!match.Success)
        {
            problem = "an impedance step reads \"Impedance from 1 MHz to 1 Hz at 30 mV, 10 points per decade\" "
                + "(optionally \", at OCV\" or \", bias 0 V\", and \", every 10 cycles\")";
            return null;
        }
        var start = Frequency(match.Groups["f1"].Value, match.Groups["u1"].Value);
        var end = Frequency(match.Groups["f2"].Value, match.Groups["u2"].Value);
        var amplitude = Volts(match.Groups["a"].Value, match.Groups["au"].Value);
        var ppd = int.Parse(match.Groups["ppd"].Value, CultureInfo.InvariantCulture);
        var bias = match.Groups["b"].Success ? Volts(match.Groups["b"].Value, match.Groups["bu"].Value) : ElectricPotential.Zero;
        var every = match.Groups["every"].Success ? int.Parse(match.Groups["every"].Value, CultureInfo.InvariantCulture) : 1;
        var sweep = new ImpedanceSweep(start, end, ppd, amplitude, bias, ImpedanceSweep.Paper.Integration);
        var problems = sweep.Validate().ToList();
        if (every is < 1 or > 100_000)
        {
            problems.Add($"every {every} cycles: must be 1-100000");
        }
        if (problems.Count > 0)
        {
            problem = string.Join("; ", problems);
            return null;
        }
        problem = "";
        return new StepDefinition
        {
            Kind = StepKind.Impedance,
            Text = text.Trim(),
            Impedance = sweep,
            ImpedanceAtOcv = !match.Groups["b"].Success,
            Every = every,
        };
    }

    private static Frequency Frequency(string number, string unit)
    {
        var value = double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture);
        return UnitsNet.Frequency.FromHertz(unit switch
        {
            "MHz" => value * 1e6,
            "kHz" => value * 1e3,
            "mHz" => value * 1e-3,
            _ => value,
        });
    }

    private static ElectricPotential Volts(string number, string unit)
    {
        var value = double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture);
        return unit.Equals("mV", StringComparison.OrdinalIgnoreCase) ? ElectricPotential.FromMillivolts(value) : ElectricPotential.FromVolts(value);
    }

    [GeneratedRegex("""
        ^[Ii]mpedance\s+from\s+(?<f1>\d+(?:\.\d+)?)\s*(?<u1>MHz|kHz|mHz|Hz)\s+to\s+(?<f2>\d+(?:\.\d+)?)\s*(?<u2>MHz|kHz|mHz|Hz)
        \s+at\s+(?<a>\d+(?:\.\d+)?)\s*(?<au>mV|V)\s*,\s*(?<ppd>\d{1,3})\s+points?\s+per\s+decade
        (?:\s*,\s*(?:at\s+(?i:ocv)|bias\s+(?<b>[-+]?\d+(?:\.\d+)?)\s*(?<bu>mV|V)))?
        (?:\s*,\s*every\s+(?<every>\d{1,6})\s+cycles?)?\s*$
        """, RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
