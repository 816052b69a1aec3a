namespace Rig.Service.Control;

/// <summary>
/// Where a channel's test stands, for dashboards and for refusing commands that do not fit. Progress
/// (<see cref="CyclesPlanned"/>, <see cref="TimeLeft"/>) as <see cref="Engine.ProtocolProgress"/> estimates it.
/// </summary>
public sealed record ChannelRunStatus(
    string ChannelId,
    RunState State,
    string? TestId,
    string? ProtocolName,
    int Cycle,
    int StepIndex,
    string? StepText,
    string? Reason,
    int? CyclesPlanned = null,
    TimeSpan? TimeLeft = null,
    bool TimeLeftEstimated = false,
    StepEnds? StepEnds = null);

public enum RunState
{
    Idle,
    Running,
    /// <summary>Output off at a safe point; resumable.</summary>
    Paused,
    /// <summary>The service stopped or crashed mid-test; output off; resumable.</summary>
    Interrupted,
    Finished,
    Aborted,
    /// <summary>Ended by a fault (short circuit, safety limit, hardware); output off.</summary>
    Faulted,
}
