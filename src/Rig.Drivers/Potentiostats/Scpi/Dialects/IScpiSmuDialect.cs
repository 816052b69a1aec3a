using UnitsNet;

namespace Rig.Drivers.Potentiostats.Scpi.Dialects;

/// <summary>What an SMU is sourcing, which decides which buffer element is the voltage and which the current.</summary>
public enum SmuSourceFunction
{
    Current,
    Voltage,
}

/// <summary>One reading as the instrument reported it, before it is put on the rig clock.</summary>
public readonly record struct SmuMeasurement(ElectricPotential Voltage, ElectricCurrent Current, TimeSpan InstrumentTime);

/// <summary>
/// One instrument's SCPI vocabulary: each member maps one operation to its command strings, in the one place a
/// reviewer can hold beside the programming manual (as PyMeasure's <c>Instrument.control</c> declarations do).
/// A dialect does no I/O; <see cref="ScpiPotentiostatChannel"/> sends what it returns. Source members check their
/// ranges and throw <see cref="ArgumentOutOfRangeException"/> before a string is ever built.
/// </summary>
public interface IScpiSmuDialect
{
    /// <summary>"Keithley 2450", "Keysight B2902A ch2": for device names and faults.</summary>
    string Name { get; }

    InstrumentCapabilities Capabilities { get; }

    /// <summary>Why this *IDN? answer is not the configured instrument, or null when it is.</summary>
    string? RejectIdentity(InstrumentIdentity identity);

    /// <summary>Query that returns the active command set, or null when the instrument has only one.</summary>
    string? LanguageQuery { get; }

    /// <summary>Why this command-set answer cannot be driven, or null when it can.</summary>
    string? RejectLanguage(string answer);

    /// <summary>Settings sent after every connect: off-state, sense wiring, reading format. Never turns the output on.</summary>
    IReadOnlyList<string> Prepare();

    IReadOnlyList<string> SourceCurrent(ElectricCurrent current, ElectricPotential voltageLimit);

    IReadOnlyList<string> SourceVoltage(ElectricPotential voltage, ElectricCurrent currentLimit);

    /// <summary>
    /// Only the new level of the source already configured (same function, same limit, output on): what a voltage
    /// sweep sends each sample, instead of the whole source sequence again.
    /// </summary>
    string SourceLevel(SmuSourceFunction function, double level);

    IReadOnlyList<string> OutputOff();

    string OutputStateQuery { get; }

    bool ParseOutputState(string answer);

    string SourceFunctionQuery { get; }

    SmuSourceFunction ParseSourceFunction(string answer);

    string MeasureQuery { get; }

    SmuMeasurement ParseMeasurement(string answer, SmuSourceFunction function);

    /// <summary>Asks whether the source is held at its compliance limit.</summary>
    string ComplianceQuery(SmuSourceFunction function);
}
