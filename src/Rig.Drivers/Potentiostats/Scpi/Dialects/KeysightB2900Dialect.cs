using UnitsNet;
using static Rig.Drivers.Potentiostats.Scpi.Dialects.ScpiFormat;

namespace Rig.Drivers.Potentiostats.Scpi.Dialects;

/// <summary>
/// Keysight (formerly Agilent) B2901A / B2902A Precision SMU, one channel of it. Sources: Keysight B2900 SCPI
/// Command Reference, chapter 4 "Subsystem Commands" (OUTPut, SENSe, SOURce, MEASure, FORMat subsystems);
/// channel n is the numeric suffix (:SOUR2, :OUTP2) or the channel list (@2).
/// </summary>
public sealed class KeysightB2900Dialect : IScpiSmuDialect
{
    private readonly string _model;
    private readonly int _channel;
    private readonly bool _fourWire;

    private KeysightB2900Dialect(string model, int channel, bool fourWire)
    {
        _model = model;
        _channel = channel;
        _fourWire = fourWire;
    }

    /// <summary>B2901A: one channel.</summary>
    public static KeysightB2900Dialect B2901A(bool fourWire = true) => new("B2901A", 1, fourWire);

    /// <summary>B2902A: two channels; <paramref name="channel"/> is 1 or 2.</summary>
    public static KeysightB2900Dialect B2902A(int channel, bool fourWire = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channel, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(channel, 2);
        return new("B2902A", channel, fourWire);
    }

    public string Name => $"Keysight {_model} ch{_channel}";

    /// <summary>±3.03 A (DC, up to 6 V), ±210 V (B2900 data sheet, source specifications).</summary>
    public InstrumentCapabilities Capabilities { get; } = new(
        InstrumentTechniques.ConstantCurrent | InstrumentTechniques.ConstantVoltage | InstrumentTechniques.VoltageSweep,
        ElectricCurrent.FromAmperes(3.03),
        ElectricPotential.FromVolts(210));

    /// <summary>*IDN? answers "Keysight Technologies,B2902A,&lt;serial&gt;,&lt;firmware&gt;" ("Agilent Technologies" on older units).</summary>
    public string? RejectIdentity(InstrumentIdentity identity) =>
        (identity.Manufacturer.StartsWith("Keysight", StringComparison.OrdinalIgnoreCase) || identity.Manufacturer.StartsWith("Agilent", StringComparison.OrdinalIgnoreCase))
        && identity.Model.Equals(_model, StringComparison.OrdinalIgnoreCase)
            ? null
            : $"configured as a Keysight {_model} but *IDN? answered '{identity}'";

    public string? LanguageQuery => null;

    public string? RejectLanguage(string answer) => null;

    public IReadOnlyList<string> Prepare() =>
    [
        // :OUTPut[c]:OFF:MODE ZERO|HIZ|NORMal: HIZ opens the output relay when off, so "off" never loads the cell.
        $":OUTP{_channel}:OFF:MODE HIZ",
        // :OUTPut[c]:ON:AUTO OFF: a measurement must never turn on an output that an interlock, the front panel or
        // the engine turned off (with AUTO ON, :MEAS? switches the output on by itself).
        $":OUTP{_channel}:ON:AUTO OFF",
        // :SENSe[c]:REMote: 4-wire sense.
        $":SENS{_channel}:REM {(_fourWire ? "ON" : "OFF")}",
        // :SENSe[c]:FUNCtion[:ON]: measure both V and I on every reading.
        $":SENS{_channel}:FUNC \"VOLT\",\"CURR\"",
        // :FORMat:ELEMents:SENSe: every :MEAS? answer is voltage, current, time, in that order.
        ":FORM:ELEM:SENS VOLT,CURR,TIME",
    ];

    /// <summary>:SENSe[c]:VOLTage:PROTection is the voltage compliance while sourcing current; limit before level.</summary>
    public IReadOnlyList<string> SourceCurrent(ElectricCurrent current, ElectricPotential voltageLimit)
    {
        CheckMagnitude(current.Amperes, Capabilities.MaxCurrent.Amperes, nameof(current), "A");
        CheckLimit(voltageLimit.Volts, Capabilities.MaxVoltage.Volts, nameof(voltageLimit), "V");
        return
        [
            $":SOUR{_channel}:FUNC:MODE CURR",
            $":SENS{_channel}:VOLT:PROT {Number(voltageLimit.Volts)}",
            $":SOUR{_channel}:CURR {Number(current.Amperes)}",
            $":OUTP{_channel} ON",
        ];
    }

    public IReadOnlyList<string> SourceVoltage(ElectricPotential voltage, ElectricCurrent currentLimit)
    {
        CheckMagnitude(voltage.Volts, Capabilities.MaxVoltage.Volts, nameof(voltage), "V");
        CheckLimit(currentLimit.Amperes, Capabilities.MaxCurrent.Amperes, nameof(currentLimit), "A");
        return
        [
            $":SOUR{_channel}:FUNC:MODE VOLT",
            $":SENS{_channel}:CURR:PROT {Number(currentLimit.Amperes)}",
            $":SOUR{_channel}:VOLT {Number(voltage.Volts)}",
            $":OUTP{_channel} ON",
        ];
    }

    public string SourceLevel(SmuSourceFunction function, double level)
    {
        var (max, unit) = function == SmuSourceFunction.Current ? (Capabilities.MaxCurrent.Amperes, "A") : (Capabilities.MaxVoltage.Volts, "V");
        CheckMagnitude(level, max, nameof(level), unit);
        return function == SmuSourceFunction.Current ? $":SOUR{_channel}:CURR {Number(level)}" : $":SOUR{_channel}:VOLT {Number(level)}";
    }

    public IReadOnlyList<string> OutputOff() => [$":OUTP{_channel} OFF"];

    public string OutputStateQuery => $":OUTP{_channel}?";

    public bool ParseOutputState(string answer) => ParseBoolean(answer, OutputStateQuery);

    public string SourceFunctionQuery => $":SOUR{_channel}:FUNC:MODE?";

    public SmuSourceFunction ParseSourceFunction(string answer) => Keithley2400SeriesDialect.ParseFunction(answer, SourceFunctionQuery);

    /// <summary>:MEASure? [chanlist]: a spot measurement returning the :FORM:ELEM:SENS elements.</summary>
    public string MeasureQuery => $":MEAS? (@{_channel})";

    public SmuMeasurement ParseMeasurement(string answer, SmuSourceFunction function)
    {
        var fields = Fields(answer, 3, MeasureQuery);
        return new SmuMeasurement(
            ElectricPotential.FromVolts(ParseNumber(fields[0], MeasureQuery)),
            ElectricCurrent.FromAmperes(ParseNumber(fields[1], MeasureQuery)),
            TimeSpan.FromSeconds(ParseNumber(fields[2], MeasureQuery)));
    }

    /// <summary>:SENSe[c]:&lt;VOLTage|CURRent&gt;:PROTection:TRIPped?: 1 while the compliance holds the source.</summary>
    public string ComplianceQuery(SmuSourceFunction function) =>
        function == SmuSourceFunction.Current ? $":SENS{_channel}:VOLT:PROT:TRIP?" : $":SENS{_channel}:CURR:PROT:TRIP?";
}
