using System.Globalization;
using Rig.Drivers.Potentiostats.Scpi.Dialects;

namespace Rig.Drivers.Potentiostats.Scpi.Simulation;

/// <summary>
/// A Keysight B2901A (one channel) or B2902A (two), a cell on each channel: the commands the rig's driver uses,
/// per the B2900 SCPI Command Reference, with the channel as header suffix or channel list. A suffix beyond the
/// instrument's channels is -114 "Header suffix out of range"; unknown headers -113.
/// </summary>
public sealed class KeysightB2900Simulator : SimulatedScpiInstrument
{
    private const double MaxAmperes = 3.03;
    private const double MaxVolts = 210;
    private readonly IReadOnlyList<SimulatedSmuChannel> _channels;
    private string[] _elements = ["VOLT", "CURR", "TIME"];

    public KeysightB2900Simulator(IReadOnlyList<SimulatedSmuChannel> channels, TimeProvider time, string serial = "MY52000001")
        : base($"Keysight Technologies,{(channels?.Count == 2 ? "B2902A" : "B2901A")},{serial},3.4.2011.5100", time)
    {
        ArgumentNullException.ThrowIfNull(channels);
        if (channels.Count is < 1 or > 2)
        {
            throw new ArgumentException("a B2900 has one or two channels", nameof(channels));
        }
        _channels = channels;
        On("OUTP:OFF:MODE", c => With(c, ch => Do(Choice(c, ("HIZ", "HIZ"), ("ZERO", "ZERO"), ("NORM", "NORMAL")), m => ch.OffMode = m)));
        On("OUTP:OFF:MODE?", c => With(c, ch => ch.OffMode));
        // :OUTPut[c]:ON:AUTO; the header parser drops ":ON" as the optional node of [:SENSe]:FUNCtion[:ON].
        On("OUTP:AUTO", c => With(c, ch => Do(Boolean(c), on => ch.AutoOutputOn = on)));
        On("SENS:REM", c => With(c, ch => Do(Boolean(c), on => ch.FourWire = on)));
        On("SENS:REM?", c => With(c, ch => Flag(ch.FourWire)));
        On("SENS:FUNC", c => With(c, _ => AllOf(c, "VOLT", "CURR", "RES")));
        On("FORM:ELEM:SENS", SetElements);
        On("SOUR:FUNC:MODE", c => With(c, ch => Do(Choice(c, ("CURR", "CURRENT"), ("VOLT", "VOLTAGE")),
            f => ch.SetFunction(f == "CURR" ? SmuSourceFunction.Current : SmuSourceFunction.Voltage))));
        On("SOUR:FUNC:MODE?", c => With(c, ch => ch.Function == SmuSourceFunction.Current ? "CURR" : "VOLT"));
        On("SENS:VOLT:PROT", c => With(c, ch => Do(Number(c, 0, MaxVolts), ch.SetVoltageLimit)));
        On("SENS:CURR:PROT", c => With(c, ch => Do(Number(c, 1e-12, MaxAmperes), ch.SetCurrentLimit)));
        On("SOUR:CURR", c => With(c, ch => Do(Number(c, -MaxAmperes, MaxAmperes), ch.SetCurrentLevel)));
        On("SOUR:VOLT", c => With(c, ch => Do(Number(c, -MaxVolts, MaxVolts), ch.SetVoltageLevel)));
        On("OUTP", c => With(c, ch => Do(Boolean(c), ch.SetOutput)));
        On("OUTP?", c => With(c, ch => Flag(ch.OutputOn)));
        On("MEAS?", Measure);
        On("SENS:VOLT:PROT:TRIP?", c => With(c, ch => Flag(ch.OutputOn && ch.Function == SmuSourceFunction.Current && ch.Measure().InCompliance)));
        On("SENS:CURR:PROT:TRIP?", c => With(c, ch => Flag(ch.OutputOn && ch.Function == SmuSourceFunction.Voltage && ch.Measure().InCompliance)));
    }

    public SimulatedSmuChannel ChannelAt(int number) => _channels[number - 1];

    protected override void Reset()
    {
        foreach (var channel in _channels)
        {
            channel.Reset();
        }
        _elements = ["VOLT", "CURR", "TIME"];
    }

    // Keysight prints the sign: +0,"No error".
    protected override string FormatError(ScpiError error) =>
        $"{error.Code.ToString("+0;-0", CultureInfo.InvariantCulture)},\"{error.Message}\"";

    /// <summary>:MEASure? (@n): a spot measurement returning the :FORM:ELEM:SENS elements of channel n.</summary>
    private string? Measure(ScpiCommand command)
    {
        var list = command.Argument(0);
        var number = 1;
        if (list.Length > 0 && !(list.StartsWith("(@", StringComparison.Ordinal) && list.EndsWith(')')
            && int.TryParse(list[2..^1], NumberStyles.None, CultureInfo.InvariantCulture, out number)))
        {
            Error(-104, "Data type error");
            return null;
        }
        if (number < 1 || number > _channels.Count)
        {
            Error(-222, "Data out of range");
            return null;
        }
        var channel = _channels[number - 1];
        var point = channel.Measure();
        var fields = _elements.Select(element => element switch
        {
            "VOLT" => Format(point.VoltageVolts),
            "CURR" => Format(point.CurrentAmperes),
            "TIME" => Format((Time.GetUtcNow() - StartedAt).TotalSeconds),
            _ => Format(channel.Function == SmuSourceFunction.Current ? channel.CurrentLevelAmperes : channel.VoltageLevelVolts),
        });
        return string.Join(',', fields);
    }

    private string? SetElements(ScpiCommand command)
    {
        var elements = command.Arguments.Select(a => a.ToUpperInvariant() switch
        {
            "VOLT" or "VOLTAGE" => "VOLT",
            "CURR" or "CURRENT" => "CURR",
            "TIME" => "TIME",
            "SOUR" or "SOURCE" => "SOUR",
            _ => null,
        }).ToList();
        if (elements.Count == 0 || elements.Any(e => e is null))
        {
            Error(-224, "Illegal parameter value");
            return null;
        }
        _elements = [.. elements!];
        return null;
    }

    private string? AllOf(ScpiCommand command, params string[] allowed)
    {
        if (command.Arguments.Count == 0 || command.Arguments.Any(a => !allowed.Contains(a.Trim('"').ToUpperInvariant())))
        {
            Error(-224, "Illegal parameter value");
        }
        return null;
    }

    private string? With(ScpiCommand command, Func<SimulatedSmuChannel, string?> handler)
    {
        if (command.Suffix < 1 || command.Suffix > _channels.Count)
        {
            Error(-114, "Header suffix out of range");
            return null;
        }
        return handler(_channels[command.Suffix - 1]);
    }

    // The B2900 prints NR3 with a sign: +3.512345E+00.
    private static string Format(double number) => number.ToString("+0.000000E+00;-0.000000E+00", CultureInfo.InvariantCulture);
}
