using UnitsNet;

namespace Rig.Drivers.LoadCells.Calibration;

/// <summary>
/// Counts to force for one clamp: force = (counts - zero) / sensitivity. A tare moves the zero; a span with a known
/// load sets the sensitivity. The record of when and against what load travels with it, so every stored test
/// can say which calibration made its pressures.
/// </summary>
/// <param name="ZeroCounts">Counts with the clamp open (no load).</param>
/// <param name="CountsPerNewton">Sensitivity.</param>
/// <param name="TaredAt">When the zero was taken.</param>
/// <param name="SpannedAt">When the sensitivity was measured; null while it is the nominal one from the data sheet.</param>
/// <param name="ReferenceLoad">The known load of the span; null while nominal.</param>
public sealed record LoadCellCalibration(
    double ZeroCounts,
    double CountsPerNewton,
    DateTimeOffset? TaredAt,
    DateTimeOffset? SpannedAt,
    Force? ReferenceLoad)
{
    /// <summary>
    /// The sensitivity the data sheets promise: rated output (mV/V) at rated force, times what the ADC gives per mV/V.
    /// Used until the operator spans the clamp, and to check a span against.
    /// </summary>
    public static LoadCellCalibration Nominal(double zeroCounts, double countsPerMillivoltPerVolt, double ratedOutputMillivoltsPerVolt, Force ratedForce) =>
        new(zeroCounts, NominalCountsPerNewton(countsPerMillivoltPerVolt, ratedOutputMillivoltsPerVolt, ratedForce), null, null, null);

    public static double NominalCountsPerNewton(double countsPerMillivoltPerVolt, double ratedOutputMillivoltsPerVolt, Force ratedForce) =>
        countsPerMillivoltPerVolt * ratedOutputMillivoltsPerVolt / ratedForce.Newtons;

    public bool IsSpanned => SpannedAt is not null;

    public Force ForceAt(double counts) => Force.FromNewtons((counts - ZeroCounts) / CountsPerNewton);
}
