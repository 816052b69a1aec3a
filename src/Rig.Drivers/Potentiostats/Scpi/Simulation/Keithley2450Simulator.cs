using System.Globalization;
using Rig.Drivers.Potentiostats.Scpi.Dialects;

namespace Rig.Drivers.Potentiostats.Scpi.Simulation;

/// <summary>
/// A Keithley 2450 (or 2460) in its SCPI command set, one cell on its terminals: the commands the rig's driver uses,
/// in short and long forms, with the instrument's ranges and error codes (Model 2450 Reference Manual 2450-901-01,
/// section 6 and Appendix B). Anything else is -113 "Undefined header", as on the instrument.
/// </summary>
public sealed class Keithley2450Simulator : SimulatedScpiInstrument
{
    private readonly double _maxAmperes;
    private readonly double _maxVolts;
    private readonly Dictionary<SmuSourceFunction, bool> _readBack = new() { [SmuSourceFunction.Current] = false, [SmuSourceFunction.Voltage] = false };

    public Keithley2450Simulator(SimulatedSmuChannel channel, TimeProvider time, string model = "2450", string serial = "04500001")
        : base($"KEITHLEY INSTRUMENTS,MODEL {model},{serial},1.7.12b", time)
    {
        Channel = channel ?? throw new ArgumentNullException(nameof(channel));
        (_maxAmperes, _maxVolts) = model == "2460" ? (7.35, 105.0) : (1.05, 210.0);
        On("*LANG?", _ => Language);
        On("OUTP:CURR:SMOD", c => SetOffMode(c));
        On("OUTP:VOLT:SMOD", c => SetOffMode(c));
        On("OUTP:CURR:SMOD?", _ => Channel.OffMode);
        On("SOUR:CURR:READ:BACK", c => SetReadBack(c, SmuSourceFunction.Current));
        On("SOUR:VOLT:READ:BACK", c => SetReadBack(c, SmuSourceFunction.Voltage));
        On("SENS:VOLT:RSEN", c => SetFourWire(c));
        On("SENS:CURR:RSEN", c => SetFourWire(c));
        On("SENS:VOLT:RSEN?", _ => Flag(Channel.FourWire));
        foreach (var range in new[] { "SENS:VOLT:RANG:AUTO", "SENS:CURR:RANG:AUTO", "SOUR:VOLT:RANG:AUTO", "SOUR:CURR:RANG:AUTO" })
        {
            On(range, c => Do(Boolean(c), on => { if (on) { Channel.AutoRanges.Add(range); } else { Channel.AutoRanges.Remove(range); } }));
        }
        On("SOUR:FUNC", c => Do(Choice(c, ("CURR", "CURRENT"), ("VOLT", "VOLTAGE")), f => Channel.SetFunction(Function(f))));
        On("SOUR:FUNC?", _ => Channel.Function == SmuSourceFunction.Current ? "CURR" : "VOLT");
        On("SOUR:CURR:VLIM", c => Do(Number(c, 0.02, _maxVolts * 1.05), Channel.SetVoltageLimit));
        On("SOUR:VOLT:ILIM", c => Do(Number(c, 1e-9, _maxAmperes), Channel.SetCurrentLimit));
        On("SOUR:CURR", c => Do(Number(c, -_maxAmperes, _maxAmperes), Channel.SetCurrentLevel));
        On("SOUR:VOLT", c => Do(Number(c, -_maxVolts, _maxVolts), Channel.SetVoltageLevel));
        On("SOUR:CURR:VLIM?", _ => Format(Channel.VoltageLimitVolts));
        On("SOUR:VOLT:ILIM?", _ => Format(Channel.CurrentLimitAmperes));
        On("SENS:FUNC", c => Do(Choice(c, ("VOLT", "VOLTAGE"), ("CURR", "CURRENT"), ("VOLT:DC", "VOLTAGE:DC"), ("CURR:DC", "CURRENT:DC")),
            f => Channel.Sense = f.StartsWith("CURR", StringComparison.Ordinal) ? SmuSourceFunction.Current : SmuSourceFunction.Voltage));
        On("SENS:FUNC?", _ => Channel.Sense == SmuSourceFunction.Current ? "\"CURR:DC\"" : "\"VOLT:DC\"");
        On("OUTP", c => Do(Boolean(c), Channel.SetOutput));
        On("OUTP?", _ => Flag(Channel.OutputOn));
        On("READ?", Read);
        On("SOUR:CURR:VLIM:TRIP?", _ => Flag(Channel.OutputOn && Channel.Function == SmuSourceFunction.Current && Channel.Measure().InCompliance));
        On("SOUR:VOLT:ILIM:TRIP?", _ => Flag(Channel.OutputOn && Channel.Function == SmuSourceFunction.Voltage && Channel.Measure().InCompliance));
    }

    public SimulatedSmuChannel Channel { get; }

    /// <summary>The *LANG? answer: "SCPI", or "SCPI2400"/"TSP" to play an instrument in another command set.</summary>
    public string Language { get; set; } = "SCPI";

    protected override void Reset()
    {
        Channel.Reset();
        _readBack[SmuSourceFunction.Current] = false;
        _readBack[SmuSourceFunction.Voltage] = false;
    }

    protected override string FormatError(ScpiError error) => $"{error.Code},\"{error.Message}\"";

    /// <summary>:READ? [buffer], elements: READ follows :SENS:FUNC, SOUR is the read-back (or programmed) source value.</summary>
    private string? Read(ScpiCommand command)
    {
        var point = Channel.Measure();
        var sensed = Channel.Sense == SmuSourceFunction.Voltage ? point.VoltageVolts : point.CurrentAmperes;
        var source = Channel.Function == SmuSourceFunction.Current
            ? (_readBack[SmuSourceFunction.Current] ? point.CurrentAmperes : Channel.CurrentLevelAmperes)
            : (_readBack[SmuSourceFunction.Voltage] ? point.VoltageVolts : Channel.VoltageLevelVolts);
        var elements = command.Arguments.Skip(1).ToList();
        if (command.Arguments.Count > 0 && !command.Argument(0).Trim('"').Equals("defbuffer1", StringComparison.OrdinalIgnoreCase)
            && !command.Argument(0).Trim('"').Equals("defbuffer2", StringComparison.OrdinalIgnoreCase))
        {
            Error(-285, "Buffer not found");
            return null;
        }
        if (elements.Count == 0)
        {
            elements.Add("READ");
        }
        var fields = new List<string>();
        foreach (var element in elements)
        {
            switch (element.ToUpperInvariant())
            {
                case "READ" or "READING":
                    fields.Add(Format(sensed));
                    break;
                case "SOUR" or "SOURCE":
                    fields.Add(Format(source));
                    break;
                case "REL" or "RELATIVE":
                    fields.Add(Format((Time.GetUtcNow() - StartedAt).TotalSeconds));
                    break;
                default:
                    Error(-224, "Illegal parameter value");
                    return null;
            }
        }
        return string.Join(',', fields);
    }

    private string? SetOffMode(ScpiCommand command) =>
        Do(Choice(command, ("HIMP", "HIMPEDANCE"), ("NORM", "NORMAL"), ("ZERO", "ZERO"), ("GUAR", "GUARD")), mode => Channel.OffMode = mode);

    private string? SetReadBack(ScpiCommand command, SmuSourceFunction function) => Do(Boolean(command), on => _readBack[function] = on);

    private string? SetFourWire(ScpiCommand command) => Do(Boolean(command), on => Channel.FourWire = on);

    private static SmuSourceFunction Function(string shortForm) =>
        shortForm == "CURR" ? SmuSourceFunction.Current : SmuSourceFunction.Voltage;

    // The 2450 prints readings in NR3 with six decimals: -7.850000E-04.
    private static string Format(double number) => number.ToString("0.000000E+00", CultureInfo.InvariantCulture);
}
