using UnitsNet;

namespace Rig.Service.Control;

/// <summary>
/// The end conditions of the step a channel is running, as the engine checks them (not parsed back from the step's
/// text): a dashboard shows the step's progress against them. Every member is null when the step has no such end.
/// Published on the retained state as <c>step_ends</c> (docs/telemetry.md).
/// </summary>
public sealed record StepEnds
{
    /// <summary>The charge the step ends at: as written, or in capacity-retention mode what the previous strip passed.</summary>
    public ElectricCharge? Capacity { get; init; }

    /// <summary>The charge the step has passed so far.</summary>
    public ElectricCharge CapacityPassed { get; init; }

    /// <summary>The protocol wrote the capacity per area (mAh/cm²): it is published per cm² of <see cref="Area"/>.</summary>
    public bool CapacityPerArea { get; init; }

    /// <summary>The step ends after this long (a rest, a hold, a time-bounded current).</summary>
    public TimeSpan? Duration { get; init; }

    public TimeSpan StepTime { get; init; }

    /// <summary>A constant-current step's voltage cut-off, or a sweep's end point.</summary>
    public ElectricPotential? Voltage { get; init; }

    /// <summary>True when the voltage end is reached rising (a strip, a charge); false falling; null for a sweep's end point.</summary>
    public bool? VoltageRising { get; init; }

    /// <summary>A hold's or sweep's current floor (the step ends when |I| falls below it).</summary>
    public ElectricCurrent? CurrentFloor { get; init; }

    /// <summary>The protocol wrote the current floor per area (mA/cm²).</summary>
    public bool CurrentPerArea { get; init; }

    /// <summary>The cell's area, for the per-area forms.</summary>
    public Area Area { get; init; }

    public bool IsEmpty => Capacity is null && Duration is null && Voltage is null && CurrentFloor is null;
}
