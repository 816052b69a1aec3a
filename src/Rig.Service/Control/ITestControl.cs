namespace Rig.Service.Control;

/// <summary>
/// What operators (MQTT commands, the CLI) and supervisors (pressure, heater, e-stop) may ask of the cycling
/// engine. Every call validates first and returns a <see cref="CommandResult"/>; a refused call changes nothing.
/// Thread-safe.
/// </summary>
public interface ITestControl
{
    /// <summary>Starts a test on an idle channel.</summary>
    Task<CommandResult> StartAsync(StartTestRequest request, CancellationToken cancellationToken);

    /// <summary>Pauses at the next safe point (output off). <paramref name="reason"/> is recorded ("operator", "pressure out of window", ...).</summary>
    Task<CommandResult> PauseAsync(string channelId, string reason, CancellationToken cancellationToken);

    /// <summary>Resumes a paused or interrupted test from the step it was in.</summary>
    Task<CommandResult> ResumeAsync(string channelId, CancellationToken cancellationToken);

    /// <summary>Ends the test now, output off; the test is recorded as aborted.</summary>
    Task<CommandResult> AbortAsync(string channelId, string reason, CancellationToken cancellationToken);

    /// <summary>The run state of every channel.</summary>
    IReadOnlyList<ChannelRunStatus> Status();
}
