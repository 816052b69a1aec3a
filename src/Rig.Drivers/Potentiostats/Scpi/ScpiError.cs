using System.Globalization;

namespace Rig.Drivers.Potentiostats.Scpi;

/// <summary>One entry of an instrument's error queue, as :SYST:ERR? returns it: <c>-113,"Undefined header"</c>.</summary>
public readonly record struct ScpiError(int Code, string Message)
{
    public bool IsNoError => Code == 0;

    /// <summary>Parses "-113,\"Undefined header\"", "+0,\"No error\"" (Keysight) or "0,\"No error\"" (Keithley).</summary>
    public static ScpiError Parse(string answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var comma = answer.IndexOf(',', StringComparison.Ordinal);
        var codeText = comma < 0 ? answer : answer[..comma];
        if (!int.TryParse(codeText.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var code))
        {
            throw new FormatException($":SYST:ERR? answer '{answer}' does not start with an error code");
        }
        var message = comma < 0 ? "" : answer[(comma + 1)..].Trim().Trim('"');
        return new ScpiError(code, message);
    }

    public override string ToString() => $"{Code},\"{Message}\"";
}
