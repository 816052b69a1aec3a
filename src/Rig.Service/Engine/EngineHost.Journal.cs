using Rig.Service.Channels;
using Rig.Service.Recording;

namespace Rig.Service.Engine;

/// <summary>
/// How the host keeps a channel's records and checkpoint together. Every engine call runs under the channel's gate:
/// the engine acts under the lock, its records and (when due) its checkpoint are taken as one <see cref="Batch"/>,
/// and the batch is committed to the <see cref="IEngineJournal"/> before the gate opens for the next call, so
/// commits are in call order and the checkpoint in each is exactly the state after its records.
/// </summary>
public sealed partial class EngineHost
{
    /// <summary>Runs <paramref name="act"/> under the channel's lock, then commits the batch it returned, all under the gate.</summary>
    private async ValueTask<T> UnderGateAsync<T>(ChannelRun run, Func<(T Result, Batch Batch)> act, CancellationToken cancellationToken)
    {
        await run.Gate.WaitAsync(cancellationToken);
        try
        {
            (T Result, Batch Batch) outcome;
            lock (run.Lock)
            {
                outcome = act();
            }
            await CommitAsync(run, outcome.Batch, cancellationToken);
            return outcome.Result;
        }
        finally
        {
            run.Gate.Release();
        }
    }

    /// <summary>Drains the engine's outbox; the checkpoint is taken when asked, when one is owed, or when records are to be stored.</summary>
    private Batch TakeBatch(ChannelRun run, DateTimeOffset now, bool checkpoint)
    {
        var engine = run.Engine!;
        var batch = new Batch(new List<EngineRecord>(engine.Outbox.Count), [], null);
        foreach (var record in engine.Outbox)
        {
            if (record.Event is { } rigEvent)
            {
                batch.Events.Add(rigEvent);
            }
            else
            {
                batch.Records.Add(record);
            }
        }
        engine.Outbox.Clear();
        if (!checkpoint && !run.CheckpointDue && batch.Records.Count == 0)
        {
            return batch;
        }
        try
        {
            var json = CheckpointJson.Serialize(engine.State);
            return batch with { Checkpoint = new EngineCheckpoint(engine.State.ChannelId, engine.State.TestId, now, json) };
        }
        catch (Exception ex)
        {
            // A state that cannot be serialised is a bug: alarm once, keep the test going, try again next time.
            CheckpointFailed(run, now, ex, batch);
            return batch;
        }
    }

    private async ValueTask CommitAsync(ChannelRun run, Batch batch, CancellationToken cancellationToken)
    {
        if (batch.Records is null)
        {
            return; // nothing was taken (a refused command)
        }
        if (batch.Records.Count > 0 || batch.Checkpoint is not null)
        {
            try
            {
                await _journal.CommitAsync(batch.Records, batch.Checkpoint, cancellationToken);
                _availability.Succeeded(_journal is RecorderJournal && batch.Checkpoint is not null ? Store.StoreAvailability.Checkpoints : Store.StoreAvailability.Database);
                if (batch.Checkpoint is { } written)
                {
                    run.LastCheckpoint = written.At;
                    run.CheckpointDue = false;
                    run.CheckpointFailing = false;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The test goes on: the cell does not care that the store is slow or full. The next batch carries a checkpoint.
                LogRecorderFailed(ex);
                // Full, read-only or failing storage holds every channel (no unrecorded cycling, no test running on
                // without a resumable position) until a write succeeds again.
                _availability.Failed(ex is not Microsoft.Data.Sqlite.SqliteException && _journal is RecorderJournal
                    ? Store.StoreAvailability.Checkpoints : Store.StoreAvailability.Database, ex);
                run.CheckpointDue = true;
                CheckpointFailed(run, _time.GetUtcNow(), ex, batch);
            }
        }
        foreach (var rigEvent in batch.Events)
        {
            _events.Raise(rigEvent);
        }
    }

    private void CheckpointFailed(ChannelRun run, DateTimeOffset now, Exception ex, Batch batch)
    {
        var engine = run.Engine!;
        LogCheckpointFailed(ex, engine.State.ChannelId);
        run.CheckpointDue = true;
        if (!run.CheckpointFailing)
        {
            run.CheckpointFailing = true;
            batch.Events.Add(new RigEvent(now, RigEventSeverity.Alarm, engine.State.ChannelId, "engine.checkpoint_failed",
                $"test {engine.State.TestId}: records or checkpoint not stored ({ex.GetType().Name}: {ex.Message}); a restart now would resume from an older position"));
        }
    }

    /// <summary>What one engine call produced: records for the journal, events for the event log, the checkpoint after them.</summary>
    private readonly record struct Batch(List<EngineRecord> Records, List<RigEvent> Events, EngineCheckpoint? Checkpoint);
}
