namespace Rig.Service.Configuration;

/// <summary>
/// The stack-pressure window a channel's test must stay in (paper: 10 MPa default, 1-20 MPa used). Bands are
/// distances from the target over the averaged pressure: warning &lt; window &lt; fault. Section ...:Pressure.
/// </summary>
public sealed class PressureWindowOptions
{
    /// <summary>Target stack pressure, MPa. Empty: no window supervision (over-force is always supervised).</summary>
    public double? TargetMegapascals { get; set; }

    /// <summary>Beyond target ± this the pause (or abort) action is taken, MPa.</summary>
    public double WindowMegapascals { get; set; } = 1.0;

    /// <summary>Beyond target ± this a warning is raised, MPa.</summary>
    public double WarningMegapascals { get; set; } = 0.5;

    /// <summary>Beyond target ± this the test is aborted and the output turned off, whatever the action, MPa.</summary>
    public double FaultMegapascals { get; set; } = 3.0;

    /// <summary>A drift faster than this (either way) raises a warning, MPa per hour.</summary>
    public double MaxDriftMegapascalsPerHour { get; set; } = 0.5;

    /// <summary>The span over which drift is measured.</summary>
    public TimeSpan DriftWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Samples averaged before the bands are applied (one noisy sample must not pause a test).</summary>
    public int AveragingSamples { get; set; } = 5;

    /// <summary>What leaving the window does: Pause (output off at a safe point, resumable) or Abort.</summary>
    public PressureAction OnOutOfWindow { get; set; } = PressureAction.Pause;
}

public enum PressureAction
{
    Pause,
    Abort,
}
