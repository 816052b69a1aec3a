using UnitsNet;
using static Rig.Drivers.Potentiostats.Scpi.Dialects.ScpiFormat;

namespace Rig.Drivers.Potentiostats.Scpi.Dialects;

/// <summary>
/// Keithley 2450 / 2460 Interactive SourceMeter, SCPI command set. Sources: Model 2450 Reference Manual
/// 2450-901-01 Rev. B, section 6 "SCPI command reference" (and the 2460/2461 reference manuals, same commands);
/// cross-checked with PyMeasure's keithley2450.py and QCoDeS' Keithley_2450.py.
/// </summary>
public sealed class Keithley2400SeriesDialect : IScpiSmuDialect
{
    /// <summary>§6 :READ? (p. 6-6): READing follows :SENS:FUNC, SOURce is the read-back source value, RELative the time.</summary>
    public const string ReadQuery = ":READ? \"defbuffer1\", READ, SOUR, REL";

    private readonly string _model;
    private readonly bool _fourWire;

    private Keithley2400SeriesDialect(string model, InstrumentCapabilities capabilities, bool fourWire)
    {
        _model = model;
        Capabilities = capabilities;
        _fourWire = fourWire;
    }

    /// <summary>2450: ±1.05 A, ±210 V (2450 datasheet, source specifications).</summary>
    public static Keithley2400SeriesDialect Keithley2450(bool fourWire = true) => new("2450", new InstrumentCapabilities(
        SmuTechniques, ElectricCurrent.FromAmperes(1.05), ElectricPotential.FromVolts(210)), fourWire);

    /// <summary>2460: ±7.35 A, ±105 V (2460 datasheet, source specifications; the current range shrinks above 7 V).</summary>
    public static Keithley2400SeriesDialect Keithley2460(bool fourWire = true) => new("2460", new InstrumentCapabilities(
        SmuTechniques, ElectricCurrent.FromAmperes(7.35), ElectricPotential.FromVolts(105)), fourWire);

    private static InstrumentTechniques SmuTechniques =>
        InstrumentTechniques.ConstantCurrent | InstrumentTechniques.ConstantVoltage | InstrumentTechniques.VoltageSweep;

    public string Name => $"Keithley {_model}";

    public InstrumentCapabilities Capabilities { get; }

    /// <summary>*IDN? answers "KEITHLEY INSTRUMENTS,MODEL 2450,&lt;serial&gt;,&lt;firmware&gt;" (Appendix B, *IDN?).</summary>
    public string? RejectIdentity(InstrumentIdentity identity) =>
        identity.Manufacturer.StartsWith("KEITHLEY", StringComparison.OrdinalIgnoreCase)
        && identity.Model.Equals($"MODEL {_model}", StringComparison.OrdinalIgnoreCase)
            ? null
            : $"configured as a Keithley {_model} but *IDN? answered '{identity}'";

    /// <summary>*LANG? (Appendix B): SCPI, SCPI2400 (2400 emulation) or TSP; changing it needs a power cycle.</summary>
    public string? LanguageQuery => "*LANG?";

    public string? RejectLanguage(string answer) =>
        answer.Trim().Trim('"').Equals("SCPI", StringComparison.OrdinalIgnoreCase)
            ? null
            : $"runs the '{answer.Trim()}' command set; select SCPI on the front panel (System > Settings > Command Set) or send *LANG SCPI, then power-cycle";

    public IReadOnlyList<string> Prepare() =>
    [
        // :OUTPut[1]:<function>:SMODe: high impedance opens the output relay when off, so "off" never loads the cell,
        // which is a power source (the manual's advice for sources connected to the output).
        ":OUTP:CURR:SMOD HIMP",
        ":OUTP:VOLT:SMOD HIMP",
        // :SOURce[1]:<function>:READ:BACK (p. 6-77): SOUR buffer element becomes the measured source value.
        ":SOUR:CURR:READ:BACK ON",
        ":SOUR:VOLT:READ:BACK ON",
        // [:SENSe[1]]:<function>:RSENse: 4-wire (remote) sense, so lead resistance is outside the reading.
        $":SENS:VOLT:RSEN {OnOff(_fourWire)}",
        $":SENS:CURR:RSEN {OnOff(_fourWire)}",
        // [:SENSe[1]]:<function>:RANGe:AUTO and :SOURce[1]:<function>:RANGe:AUTO: autorange, rather than inherit a
        // fixed range someone left on the front panel (a 10 µA range under a 1 mA step clips at compliance at once).
        ":SENS:VOLT:RANG:AUTO ON",
        ":SENS:CURR:RANG:AUTO ON",
        ":SOUR:VOLT:RANG:AUTO ON",
        ":SOUR:CURR:RANG:AUTO ON",
    ];

    /// <summary>
    /// Measure function first, then source function, limit, level (2450 Reference Manual, [:SENSe[1]]:FUNCtion[:ON]:
    /// changing the measure function can change the source function's settings and clears the reading buffer, so it
    /// must not come after them); limit before level, so the level never runs under the previous step's limit.
    /// </summary>
    public IReadOnlyList<string> SourceCurrent(ElectricCurrent current, ElectricPotential voltageLimit)
    {
        CheckMagnitude(current.Amperes, Capabilities.MaxCurrent.Amperes, nameof(current), "A");
        CheckLimit(voltageLimit.Volts, Capabilities.MaxVoltage.Volts, nameof(voltageLimit), "V");
        return
        [
            ":SENS:FUNC \"VOLT\"",
            ":SOUR:FUNC CURR",
            $":SOUR:CURR:VLIM {Number(voltageLimit.Volts)}",
            $":SOUR:CURR {Number(current.Amperes)}",
            ":OUTP ON",
        ];
    }

    public IReadOnlyList<string> SourceVoltage(ElectricPotential voltage, ElectricCurrent currentLimit)
    {
        CheckMagnitude(voltage.Volts, Capabilities.MaxVoltage.Volts, nameof(voltage), "V");
        CheckLimit(currentLimit.Amperes, Capabilities.MaxCurrent.Amperes, nameof(currentLimit), "A");
        return
        [
            ":SENS:FUNC \"CURR\"",
            ":SOUR:FUNC VOLT",
            $":SOUR:VOLT:ILIM {Number(currentLimit.Amperes)}",
            $":SOUR:VOLT {Number(voltage.Volts)}",
            ":OUTP ON",
        ];
    }

    public string SourceLevel(SmuSourceFunction function, double level)
    {
        var (max, unit) = function == SmuSourceFunction.Current ? (Capabilities.MaxCurrent.Amperes, "A") : (Capabilities.MaxVoltage.Volts, "V");
        CheckMagnitude(level, max, nameof(level), unit);
        return function == SmuSourceFunction.Current ? $":SOUR:CURR {Number(level)}" : $":SOUR:VOLT {Number(level)}";
    }

    public IReadOnlyList<string> OutputOff() => [":OUTP OFF"];

    public string OutputStateQuery => ":OUTP?";

    public bool ParseOutputState(string answer) => ParseBoolean(answer, OutputStateQuery);

    public string SourceFunctionQuery => ":SOUR:FUNC?";

    public SmuSourceFunction ParseSourceFunction(string answer) => ParseFunction(answer, SourceFunctionQuery);

    public string MeasureQuery => ReadQuery;

    /// <summary>Sourcing current, READ is the sensed voltage and SOUR the read-back current; sourcing voltage, the reverse.</summary>
    public SmuMeasurement ParseMeasurement(string answer, SmuSourceFunction function)
    {
        var fields = Fields(answer, 3, ReadQuery);
        var reading = ParseNumber(fields[0], ReadQuery);
        var source = ParseNumber(fields[1], ReadQuery);
        var time = TimeSpan.FromSeconds(ParseNumber(fields[2], ReadQuery));
        return function == SmuSourceFunction.Current
            ? new SmuMeasurement(ElectricPotential.FromVolts(reading), ElectricCurrent.FromAmperes(source), time)
            : new SmuMeasurement(ElectricPotential.FromVolts(source), ElectricCurrent.FromAmperes(reading), time);
    }

    /// <summary>:SOURce[1]:CURRent:VLIMit:TRIPped? / :SOURce[1]:VOLTage:ILIMit:TRIPped?: 1 while limiting.</summary>
    public string ComplianceQuery(SmuSourceFunction function) =>
        function == SmuSourceFunction.Current ? ":SOUR:CURR:VLIM:TRIP?" : ":SOUR:VOLT:ILIM:TRIP?";

    internal static SmuSourceFunction ParseFunction(string answer, string what) => answer.Trim().Trim('"').ToUpperInvariant() switch
    {
        "CURR" or "CURRENT" or "CURR:DC" => SmuSourceFunction.Current,
        "VOLT" or "VOLTAGE" or "VOLT:DC" => SmuSourceFunction.Voltage,
        _ => throw new FormatException($"{what}: '{answer}' is neither CURR nor VOLT"),
    };

    private static string OnOff(bool on) => on ? "ON" : "OFF";
}
