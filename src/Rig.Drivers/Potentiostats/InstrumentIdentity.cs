namespace Rig.Drivers.Potentiostats;

/// <summary>The four fields of an IEEE 488.2 *IDN? answer.</summary>
public sealed record InstrumentIdentity(string Manufacturer, string Model, string SerialNumber, string Firmware)
{
    /// <summary>Parses "KEITHLEY INSTRUMENTS,MODEL 2450,04096218,1.6.4c".</summary>
    public static InstrumentIdentity Parse(string idn)
    {
        ArgumentNullException.ThrowIfNull(idn);
        var parts = idn.Trim().Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length < 4)
        {
            throw new FormatException($"*IDN? answer '{idn.Trim()}' does not have four comma-separated fields.");
        }
        return new InstrumentIdentity(parts[0], parts[1], parts[2], string.Join(',', parts[3..]));
    }

    public override string ToString() => $"{Manufacturer},{Model},{SerialNumber},{Firmware}";
}
