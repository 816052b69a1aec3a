using UnitsNet;

namespace Rig.Service.PressureSupervision;

/// <summary>Where a channel's pressure stands after one sample, and which rule transitions that sample caused.</summary>
public readonly record struct PressureVerdict(
    PressureEvents Events,
    Force Force,
    UnitsNet.Pressure? MeanPressure,
    double? DriftMegapascalsPerHour,
    bool Stable);

/// <summary>Rule transitions: each fires once when its condition starts, and its "cleared" partner when it ends.</summary>
[Flags]
public enum PressureEvents
{
    None = 0,
    OverForce = 1 << 0,
    Warning = 1 << 1,
    OutOfWindow = 1 << 2,
    FaultBand = 1 << 3,
    Drift = 1 << 4,
    BackInWindow = 1 << 5,
    OverForceCleared = 1 << 6,
}
