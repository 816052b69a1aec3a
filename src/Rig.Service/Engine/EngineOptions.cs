namespace Rig.Service.Engine;

/// <summary>The cycling engine's settings. Section "Engine".</summary>
public sealed class EngineOptions
{
    public const string SectionName = "Engine";

    /// <summary>
    /// Longest rig time between checkpoints inside a step (step, cycle and state changes always write one).
    /// Zero: every sample, so a crash loses no charge from the counters; larger values trade that for fewer fsyncs.
    /// </summary>
    public TimeSpan CheckpointPeriod { get; set; } = TimeSpan.Zero;

    /// <summary>Where the preset files are; empty: &lt;app&gt;/Presets.</summary>
    public string PresetDirectory { get; set; } = "";

    /// <summary>Dry runs on the channels' twins (Engine:DryRun:SamplePeriod, WallTimeLimit, SimulatedTimeLimit).</summary>
    public Simulation.DryRunOptions DryRun { get; set; } = new();
}
