namespace Rig.Service.Engine.Simulation;

/// <summary>How a dry run integrates and how long it may take (Rig:Engine:DryRun:*).</summary>
public sealed class DryRunOptions
{
    /// <summary>Sample period of the accelerated run: 10 s predicts a 400-cycle full-cell test within 1 % in seconds of wall time.</summary>
    public TimeSpan SamplePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Where a step ends, the twin samples on this finer grid (the rig's own Rig:SamplePeriod; null takes it, 1 s
    /// outside the service), so a cut-off ends the step where the rig would (see StepEndLookahead). Zero turns it off.
    /// </summary>
    public TimeSpan? EndSamplePeriod { get; set; }

    /// <summary>Wall-time bound: a dry run still going after this stops and answers with what it has (completed = false).</summary>
    public TimeSpan WallTimeLimit { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Simulated-time bound: a protocol longer than this is cut there (completed = false).</summary>
    public TimeSpan SimulatedTimeLimit { get; set; } = TimeSpan.FromDays(400);
}
