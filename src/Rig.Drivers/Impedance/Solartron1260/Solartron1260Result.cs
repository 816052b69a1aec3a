using System.Globalization;
using System.Numerics;
using UnitsNet;

namespace Rig.Drivers.Impedance.Solartron1260;

/// <summary>
/// One result line in the data path <see cref="Solartron1260Commands.DataPath"/> sets: frequency, real part,
/// imaginary part, error, limits, comma-separated (e.g. "+1.0000000E+03,+9.4000000E+01,-1.2000000E+01,0,00").
/// </summary>
public sealed record Solartron1260Result(Frequency Frequency, Complex Impedance, int ErrorCode)
{
    /// <summary>Parses a result line; a line of another shape throws <see cref="FormatException"/>.</summary>
    public static Solartron1260Result Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var fields = line.Trim().Split(',', StringSplitOptions.TrimEntries);
        if (fields.Length < 4
            || !TryNumber(fields[0], out var hertz) || !TryNumber(fields[1], out var real) || !TryNumber(fields[2], out var imaginary)
            || !int.TryParse(fields[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var error))
        {
            throw new FormatException($"'{Shorten(line)}' is not a 1260 result (frequency, real, imaginary, error, limits)");
        }
        return new Solartron1260Result(Frequency.FromHertz(hertz), new Complex(real, imaginary), error);
    }

    private static bool TryNumber(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    private static string Shorten(string text) => text.Length <= 80 ? text.Trim() : text[..80] + "...";
}
