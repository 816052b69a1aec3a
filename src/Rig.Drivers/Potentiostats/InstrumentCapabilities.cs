using UnitsNet;

namespace Rig.Drivers.Potentiostats;

/// <summary>Techniques a channel supports and its source ranges.</summary>
/// <param name="Techniques">What the engine may ask of it.</param>
/// <param name="MaxCurrent">Largest current magnitude it can source.</param>
/// <param name="MaxVoltage">Largest voltage magnitude it can source.</param>
public sealed record InstrumentCapabilities(
    InstrumentTechniques Techniques,
    ElectricCurrent MaxCurrent,
    ElectricPotential MaxVoltage)
{
    public bool Supports(InstrumentTechniques technique) => (Techniques & technique) == technique;
}

/// <summary>Techniques; a plain SMU has the first three, only a potentiostat with an FRA does EIS.</summary>
[Flags]
public enum InstrumentTechniques
{
    None = 0,
    ConstantCurrent = 1,
    ConstantVoltage = 2,
    /// <summary>Stepped voltage ramps (LSV) made of small constant-voltage steps.</summary>
    VoltageSweep = 4,
    ImpedanceSpectroscopy = 8,
}
