using UnitsNet;

namespace Rig.Service.Engine.Protocols;

/// <summary>
/// A test's safety block, checked on every sample, apart from the steps (as EC-Lab's and Arbin's global limits).
/// Voltage or current outside: the test faults. Temperature or stack pressure outside: the test pauses (output off),
/// because those are the rig's environment and an operator can fix them and resume.
/// </summary>
public sealed record SafetyLimits(
    ElectricPotential MinVoltage,
    ElectricPotential MaxVoltage,
    CurrentAmount MaxCurrent,
    Temperature? MaxTemperature,
    Pressure? MinStackPressure,
    Pressure? MaxStackPressure)
{
    /// <summary>
    /// The compliance every source command carries. An SMU clamps |V| (or |I|) symmetrically, so the voltage
    /// compliance is 98 % of the larger magnitude of the window: the instrument clamps just inside it, so its own
    /// clamp (plus reading noise) never trips the engine's check of the window's two sides.
    /// </summary>
    public ElectricPotential VoltageCompliance =>
        ElectricPotential.FromVolts(0.98 * Math.Max(Math.Abs(MinVoltage.Volts), Math.Abs(MaxVoltage.Volts)));
}

public enum LoopEndKind
{
    /// <summary>Discharge capacity fell below a fraction of the reference (first post-formation) cycle's.</summary>
    RetentionBelow,
    /// <summary>The test has closed this many cycles.</summary>
    CyclesAtLeast,
    /// <summary>The short-circuit detector tripped: the expected end of a CCD ramp.</summary>
    Short,
}

/// <summary>A loop's end condition, checked when an iteration ends (a short ends it at once).</summary>
public sealed record LoopEndCondition(LoopEndKind Kind, double Threshold, string Text);
