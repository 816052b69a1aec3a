using UnitsNet;

namespace Rig.Service.Engine.Protocols;

/// <summary>
/// One parsed step: its set-point and its end limits. The step ends on the first limit reached; the time-out is a
/// safety net (reaching it faults the test), never a normal end.
/// </summary>
public sealed record StepDefinition
{
    public required StepKind Kind { get; init; }

    /// <summary>The text as written (after parameter substitution), for records and error messages.</summary>
    public required string Text { get; init; }

    /// <summary>Magnitude of the constant current (Plate, Strip, Charge, Discharge).</summary>
    public CurrentAmount? Current { get; init; }

    /// <summary>CCD ramp: added to <see cref="Current"/> on every iteration of the innermost loop after the first.</summary>
    public CurrentAmount? CurrentRisePerCycle { get; init; }

    /// <summary>Hold set-point, or sweep end point.</summary>
    public ElectricPotential? Voltage { get; init; }

    /// <summary>Sweep start; null means the open-circuit voltage measured when the sweep starts.</summary>
    public ElectricPotential? SweepStart { get; init; }

    public ElectricPotentialChangeRate? SweepRate { get; init; }

    /// <summary>End when this much charge has passed in the step.</summary>
    public CapacityAmount? Capacity { get; init; }

    /// <summary>Capacity-retention mode: after the first cycle, plate what the previous cycle stripped.</summary>
    public bool PlatePreviousStrip { get; init; }

    /// <summary>End when the voltage reaches this (rising for positive current, falling for negative).</summary>
    public ElectricPotential? VoltageLimit { get; init; }

    /// <summary>End when the current magnitude falls below this (holds and sweeps).</summary>
    public CurrentAmount? CurrentLimit { get; init; }

    /// <summary>End after this long in the step.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>An impedance step's sweep (frequencies, amplitude; bias resolved when the step starts).</summary>
    public Rig.Drivers.Impedance.ImpedanceSweep? Impedance { get; init; }

    /// <summary>An impedance step measures at the cell's open-circuit voltage (read as the step starts) rather than a fixed bias.</summary>
    public bool ImpedanceAtOcv { get; init; }

    /// <summary>Inside a loop, an impedance step runs on every Nth iteration only (the first included); 1 = every time.</summary>
    public int Every { get; init; } = 1;

    /// <summary>
    /// DC polarization ("report electronic conductivity"): a hold for a fixed time whose last current gives the
    /// electrolyte's electronic conductivity σ_e = I·L / (V·A) (paper, Methods: 50 mV, the current after 300 s).
    /// </summary>
    public bool ReportsElectronicConductivity { get; init; }

    /// <summary>Safety time-out: a step still running after this long faults the test.</summary>
    public TimeSpan? Timeout { get; init; }

    public bool IsConstantCurrent => Kind is StepKind.Plate or StepKind.Strip or StepKind.Charge or StepKind.Discharge;

    /// <summary>+1 or -1: the sign of the instrument current for a constant-current step.</summary>
    public int CurrentSign => Kind is StepKind.Strip or StepKind.Charge ? 1 : -1;

    /// <summary>Plating steps are where a dendrite grows and the short-circuit detector watches.</summary>
    public bool IsPlating => Kind is StepKind.Plate or StepKind.Charge;
}
