using System.Collections.Concurrent;
using Rig.Service.Control;

namespace Rig.Service.Tests.Telemetry;

/// <summary>The engine's command API, recording every call; channel states set by the test.</summary>
public sealed class FakeTestControl : ITestControl
{
    public ConcurrentQueue<string> Calls { get; } = new();

    public ConcurrentDictionary<string, ChannelRunStatus> States { get; } = new(StringComparer.Ordinal);

    /// <summary>When set, a start waits for it (a slow command holding its channel's lane).</summary>
    public TaskCompletionSource? StartGate { get; set; }

    public async Task<CommandResult> StartAsync(StartTestRequest request, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"start {request.ChannelId} {request.Preset}");
        if (StartGate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }
        return CommandResult.Ok("started", "test-42");
    }

    /// <summary>When set, a pause waits for it (a slow command holding the urgent lane's channel).</summary>
    public TaskCompletionSource? PauseGate { get; set; }

    public async Task<CommandResult> PauseAsync(string channelId, string reason, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"pause {channelId} {reason}");
        if (PauseGate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }
        return CommandResult.Ok("paused");
    }

    public Task<CommandResult> ResumeAsync(string channelId, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"resume {channelId}");
        return Task.FromResult(CommandResult.Ok("resumed"));
    }

    public Task<CommandResult> AbortAsync(string channelId, string reason, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"abort {channelId} {reason}");
        return Task.FromResult(CommandResult.Ok("aborted"));
    }

    public IReadOnlyList<ChannelRunStatus> Status() => [.. States.Values];
}
