using Rig.Drivers.Cells;
using Rig.Drivers.Potentiostats.Scpi.Dialects;

namespace Rig.Drivers.Potentiostats.Scpi.Simulation;

/// <summary>
/// The source-measure state of one simulated SMU channel, with a <see cref="SimulatedCell"/> on its terminals.
/// Every change of output, function, level or limit is applied to the cell at once, as the real source loop would.
/// </summary>
public sealed class SimulatedSmuChannel
{
    public SimulatedSmuChannel(SimulatedCell cell)
    {
        Cell = cell ?? throw new ArgumentNullException(nameof(cell));
    }

    public SimulatedCell Cell { get; }

    public bool OutputOn { get; private set; }

    public SmuSourceFunction Function { get; private set; } = SmuSourceFunction.Voltage;

    public double CurrentLevelAmperes { get; private set; }

    public double VoltageLevelVolts { get; private set; }

    /// <summary>Voltage limit while sourcing current (2450 *RST default 21 V).</summary>
    public double VoltageLimitVolts { get; private set; } = 21;

    /// <summary>Current limit while sourcing voltage (2450 *RST default 105 µA).</summary>
    public double CurrentLimitAmperes { get; private set; } = 105e-6;

    public bool FourWire { get; set; }

    /// <summary>Off state as the instrument names it ("NORM", "HIMP", "HIZ", ...).</summary>
    public string OffMode { get; set; } = "NORM";

    /// <summary>B2900 :OUTP:ON:AUTO: a measurement turns the output on by itself (the instrument's default).</summary>
    public bool AutoOutputOn { get; set; } = true;

    /// <summary>2450 autorange flags by command root (":SENS:VOLT:RANG:AUTO" ...): a fixed range unless set.</summary>
    public HashSet<string> AutoRanges { get; } = new(StringComparer.Ordinal);

    /// <summary>Which function the meter senses (2450: one at a time; the B2900 senses both).</summary>
    public SmuSourceFunction Sense { get; set; } = SmuSourceFunction.Current;

    public void SetOutput(bool on)
    {
        OutputOn = on;
        Apply();
    }

    public void SetFunction(SmuSourceFunction function)
    {
        Function = function;
        Apply();
    }

    public void SetCurrentLevel(double amperes)
    {
        CurrentLevelAmperes = amperes;
        Apply();
    }

    public void SetVoltageLevel(double volts)
    {
        VoltageLevelVolts = volts;
        Apply();
    }

    public void SetVoltageLimit(double volts)
    {
        VoltageLimitVolts = volts;
        Apply();
    }

    public void SetCurrentLimit(double amperes)
    {
        CurrentLimitAmperes = amperes;
        Apply();
    }

    /// <summary>Back to the power-on state: output off, sourcing 0 V.</summary>
    public void Reset()
    {
        OutputOn = false;
        Function = SmuSourceFunction.Voltage;
        CurrentLevelAmperes = 0;
        VoltageLevelVolts = 0;
        VoltageLimitVolts = 21;
        CurrentLimitAmperes = 105e-6;
        OffMode = "NORM";
        AutoOutputOn = true;
        Apply();
    }

    /// <summary>Terminal voltage and current now; with the output off the relay is open and no current flows.</summary>
    public CellOperatingPoint Measure()
    {
        var point = Cell.Read();
        return OutputOn ? point : point with { CurrentAmperes = 0, InCompliance = false };
    }

    private void Apply() => Cell.Apply(!OutputOn
        ? CellDrive.OpenCircuit
        : Function == SmuSourceFunction.Current
            ? CellDrive.ConstantCurrent(CurrentLevelAmperes, VoltageLimitVolts)
            : CellDrive.ConstantVoltage(VoltageLevelVolts, CurrentLimitAmperes));
}
