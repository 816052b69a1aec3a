namespace Rig.Drivers.Impedance.LeadSwitching;

/// <summary>Which instrument the cell's leads are on.</summary>
public enum LeadPosition
{
    /// <summary>The source-measure unit (relay de-energised: the fail-safe side).</summary>
    Smu,
    /// <summary>The impedance analyser (relay energised).</summary>
    Analyzer,
    /// <summary>A switch failed: nobody knows where the contacts are, so it counts as "not on the SMU".</summary>
    Unknown,
}
