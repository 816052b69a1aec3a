using UnitsNet;

namespace Rig.Service.Engine;

public enum EngineCommandKind
{
    None,
    SourceCurrent,
    SourceVoltage,
    OutputOff,
}

/// <summary>What the engine asks of the channel's instrument after a sample. Every source command carries its compliance.</summary>
public readonly record struct EngineCommand(EngineCommandKind Kind, ElectricCurrent Current, ElectricPotential Voltage)
{
    public static EngineCommand None => default;

    public static EngineCommand Off => new(EngineCommandKind.OutputOff, default, default);

    /// <summary>Source <paramref name="current"/> with the voltage clamped at ±<paramref name="voltageCompliance"/>.</summary>
    public static EngineCommand CurrentWith(ElectricCurrent current, ElectricPotential voltageCompliance) =>
        new(EngineCommandKind.SourceCurrent, current, voltageCompliance);

    /// <summary>Source <paramref name="voltage"/> with the current clamped at ±<paramref name="currentCompliance"/>.</summary>
    public static EngineCommand VoltageWith(ElectricPotential voltage, ElectricCurrent currentCompliance) =>
        new(EngineCommandKind.SourceVoltage, currentCompliance, voltage);
}
