using UnitsNet;

namespace Rig.Drivers.LoadCells;

/// <summary>One load-cell reading.</summary>
/// <param name="Timestamp">When it was taken (rig clock).</param>
/// <param name="Force">Calibrated force on the clamp.</param>
/// <param name="RawCounts">The ADC's raw result, for bench work and calibration.</param>
public readonly record struct ForceReading(DateTimeOffset Timestamp, Force Force, int RawCounts);
