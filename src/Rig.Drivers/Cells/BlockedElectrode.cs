namespace Rig.Drivers.Cells;

/// <summary>
/// The voltage a cell shows when asked to move sodium it no longer has (an empty Al electrode on strip or
/// discharge, an emptied cathode on charge): far beyond any source's compliance, so the simulated SMU clamps and
/// the current falls to zero instead of flowing from nowhere. This is what keeps the twin from returning more
/// charge than it took.
/// </summary>
internal static class BlockedElectrode
{
    public const double Volts = 1000.0;
}
