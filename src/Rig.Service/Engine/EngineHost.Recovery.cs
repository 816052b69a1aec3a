using Microsoft.Extensions.Logging;
using Rig.Service.Channels;
using Rig.Service.Control;
using Rig.Service.Engine.Protocols;
using Rig.Service.Recording;

namespace Rig.Service.Engine;

/// <summary>
/// Start-up recovery from the checkpoints. A checkpoint that cannot be resumed
/// (unreadable, values out of range, a protocol that no longer compiles, anything that throws) must never stop the
/// service, or systemd would restart it into the same checkpoint again: the test is ended as faulted with the
/// reason (an alarm, and the end record in the store), the file is kept beside it as "*.json.rejected" for a
/// post-mortem, and the channel is free. docs/engine.md, "Checkpoints".
/// </summary>
public sealed partial class EngineHost
{
    private void Recover()
    {
        // The store's checkpoints first (written with their records); then files, for channels it has none of (the
        // in-memory recorder's, or written before the store kept them).
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var checkpoint in _journal.LoadCheckpoints())
        {
            seen.Add(checkpoint.ChannelId);
            EngineState? state = null;
            Exception? error = null;
            try
            {
                state = CheckpointJson.Deserialize(checkpoint.Json) ?? throw new InvalidDataException("the checkpoint is empty");
            }
            catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidDataException or NotSupportedException or InvalidOperationException)
            {
                error = ex;
            }
            RecoverOne(state ?? new EngineState { ChannelId = checkpoint.ChannelId, TestId = checkpoint.TestId, State = RunState.Interrupted },
                error, () => _journal.Reject(checkpoint));
        }
        var states = _checkpoints.LoadFiles(out var unreadable);
        foreach (var (file, state) in states)
        {
            if (seen.Add(state.ChannelId))
            {
                RecoverOne(state, null, () => _checkpoints.Reject(file));
            }
        }
        foreach (var file in unreadable)
        {
            LogUnreadable(file);
            _events.Raise(new RigEvent(_time.GetUtcNow(), RigEventSeverity.Alarm, "rig", "engine.checkpoint_rejected",
                $"unreadable checkpoint {file}; kept as {_checkpoints.Reject(file)}"));
        }
    }

    private void RecoverOne(EngineState state, Exception? unreadable, Func<string> reject)
    {
        if (!_runs.TryGetValue(state.ChannelId, out var run))
        {
            LogOrphan(state.ChannelId, state.TestId);
            return;
        }
        CyclingEngine engine;
        bool wasRunning;
        try
        {
            if (unreadable is not null)
            {
                throw new InvalidDataException($"unreadable checkpoint: {unreadable.Message}", unreadable);
            }
            if (CheckpointValues.Problem(state) is { } bad)
            {
                throw new InvalidDataException(bad);
            }
            var plan = ProtocolCompiler.Compile(state.ProtocolText, state.Parameters, rejectUnusedOverrides: false);
            if (CheckpointValues.Problem(state, plan) is { } misplaced)
            {
                throw new InvalidDataException(misplaced);
            }
            engine = new CyclingEngine(plan, state);
            wasRunning = state.State == RunState.Running;
            engine.MarkInterrupted("the service stopped while the test was running");
            _ = engine.Status(); // the progress estimate walks the plan with the state: it must work too
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            RejectCheckpoint(run, reject, state, ex);
            return;
        }
        run.Engine = engine;
        run.CheckpointDue = true; // written with the channel's first batch: the constructor does no store I/O
        if (wasRunning)
        {
            _events.Raise(new RigEvent(_time.GetUtcNow(), RigEventSeverity.Warning, state.ChannelId, "engine.test_interrupted",
                $"test {state.TestId} was running when the service stopped; output off; resume to continue from \"{engine.StepText}\""));
        }
    }

    private void RejectCheckpoint(ChannelRun run, Func<string> reject, EngineState state, Exception error)
    {
        var now = _time.GetUtcNow();
        var reason = error switch
        {
            ProtocolException or InvalidDataException => error.Message,
            // The serializer's text names its internals; the path and line are what a person can look at.
            System.Text.Json.JsonException json =>
                $"the checkpoint is not readable: a wrong or malformed value at {json.Path ?? "$"} (line {(json.LineNumber ?? 0) + 1})",
            _ => $"{error.GetType().Name}: {error.Message}",
        };
        LogUnrecoverable(error, state.ChannelId, state.TestId);
        var kept = reject();
        if (!string.IsNullOrEmpty(state.TestId) && state.State is RunState.Running or RunState.Paused or RunState.Interrupted)
        {
            run.RecoveryRecords = [new EngineRecord(End: new TestEndRecord(state.TestId, state.ChannelId, now, RunState.Faulted,
                $"its checkpoint could not be resumed: {reason}", null, null, null, null, null))];
        }
        _events.Raise(new RigEvent(now, RigEventSeverity.Alarm, state.ChannelId, "engine.checkpoint_rejected",
            $"test {state.TestId} cannot be resumed and was marked faulted: {reason}. The channel is free (output off); the checkpoint was kept as {kept}"));
    }

    private static List<EngineRecord> TakeRecoveryRecords(ChannelRun run)
    {
        var records = run.RecoveryRecords ?? [];
        run.RecoveryRecords = null;
        return records;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checkpoint for channel {Channel} test {TestId} names no configured channel; left on disk")]
    private partial void LogOrphan(string channel, string testId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Checkpoint for channel {Channel} test {TestId} cannot be resumed; the test is marked faulted")]
    private partial void LogUnrecoverable(Exception ex, string channel, string testId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unreadable checkpoint {File}")]
    private partial void LogUnreadable(string file);
}
