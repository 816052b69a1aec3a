using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Rig.Service.Configuration;
using Rig.Service.Engine;
using Rig.Service.Recording;
using Rig.Service.Telemetry;

namespace Rig.Service.Store;

/// <summary>
/// The engine's recorder: applies the recording policy and writes what it keeps to the store with its telemetry
/// message queued in the same transaction. With a <see cref="StoreWriter"/> (the service) the records are handed to
/// the writer thread and the channel loop goes on at once; the writer commits them in order, in groups, and rebuilds
/// the cycle history after the commit. Without one (tests, benchmarks, the export CLI) each record is written, durable,
/// before the call returns. Thread-safe; one call at a time per channel (the engine calls from the channel's loop).
/// </summary>
public sealed class StoreTestRecorder : ITestRecorder, IEngineJournal
{
    private readonly RigStore _store;
    private readonly CycleHistory _history;
    private readonly RecentTrace _recent;
    private readonly StoreOptions _options;
    private readonly ConcurrentDictionary<string, RecordingPolicy> _policies = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _halfCellByTest = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TestSampleRecord> _latest = new(StringComparer.Ordinal);
    private readonly StoreWriter? _writer;

    public StoreTestRecorder(RigStore store, IOptions<StoreOptions> options, RecentTrace? recent = null, StoreWriter? writer = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _writer = writer;
        _history = new CycleHistory(store);
        _recent = recent ?? new RecentTrace(TimeSpan.FromHours(6), 720);
        _options = options.Value;
    }

    /// <summary>The channels' recent samples at a coarse spacing (published retained by <c>RecentTracePublisher</c>).</summary>
    public RecentTrace Recent => _recent;

    /// <summary>The last sample the engine reported on a channel (kept or not), for the channel's state message.</summary>
    public TestSampleRecord? LatestSample(string channelId) => _latest.TryGetValue(channelId, out var s) ? s : null;

    public ValueTask TestStartedAsync(TestStartRecord start, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        _halfCellByTest[start.TestId] = start.Cell.Chemistry == CellChemistry.AnodeFreeHalfCell;
        var isNew = false;
        return WriteAsync(tx => isNew = _store.AddTest(tx, start), () =>
        {
            if (isNew)
            {
                _history.TestStarted(start);
            }
        }, cancellationToken);
    }

    public ValueTask SampleAsync(TestSampleRecord sample, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sample);
        Observe(sample);
        if (!Keep(sample))
        {
            return ValueTask.CompletedTask;
        }
        var recordIndex = 0L;
        return WriteAsync(tx =>
        {
            var halfCell = IsHalfCell(tx, sample.TestId);
            recordIndex = _store.AddSample(tx, sample, seq => TelemetryPayloads.Telemetry(sample, seq, halfCell));
        }, () => _history.SampleKept(sample, recordIndex), cancellationToken);
    }

    public ValueTask CycleClosedAsync(CycleSummary summary, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return WriteAsync(tx => _store.AddCycle(tx, summary, seq => TelemetryPayloads.Cycle(summary, seq)),
            () => _history.CycleClosed(summary), cancellationToken);
    }

    public ValueTask TestEndedAsync(TestEndRecord end, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(end);
        return WriteAsync(tx => _store.EndTest(tx, end), null, cancellationToken);
    }

    /// <summary>
    /// One engine call's records and the checkpoint after them as ONE write (one savepoint of the writer's group, or
    /// one transaction without a writer): the recording policy still picks the samples kept, and a crash, a failed
    /// record or a dropped write takes the checkpoint with its records, so the store and the checkpoint agree.
    /// </summary>
    public ValueTask CommitAsync(IReadOnlyList<EngineRecord> records, EngineCheckpoint? checkpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        var keep = new bool[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            if (records[i].Start is { } start)
            {
                _halfCellByTest[start.TestId] = start.Cell.Chemistry == CellChemistry.AnodeFreeHalfCell;
            }
            else if (records[i].Sample is { } sample)
            {
                Observe(sample);
                keep[i] = Keep(sample);
            }
        }
        var indices = new long[records.Count];
        var isNew = new bool[records.Count];
        return WriteAsync(tx =>
        {
            for (var i = 0; i < records.Count; i++)
            {
                var record = records[i];
                if (record.Start is { } start)
                {
                    isNew[i] = _store.AddTest(tx, start);
                }
                else if (record.Sample is { } sample && keep[i])
                {
                    var halfCell = IsHalfCell(tx, sample.TestId);
                    indices[i] = _store.AddSample(tx, sample, seq => TelemetryPayloads.Telemetry(sample, seq, halfCell));
                }
                else if (record.Cycle is { } cycle)
                {
                    _store.AddCycle(tx, cycle, seq => TelemetryPayloads.Cycle(cycle, seq));
                }
                else if (record.End is { } end)
                {
                    _store.EndTest(tx, end);
                }
            }
            if (checkpoint is not null)
            {
                _store.SaveCheckpoint(tx, checkpoint);
            }
        }, () =>
        {
            for (var i = 0; i < records.Count; i++)
            {
                if (records[i].Start is { } start && isNew[i]) { _history.TestStarted(start); }
                else if (records[i].Sample is { } sample && keep[i]) { _history.SampleKept(sample, indices[i]); }
                else if (records[i].Cycle is { } cycle) { _history.CycleClosed(cycle); }
            }
        }, cancellationToken);
    }

    public IReadOnlyList<EngineCheckpoint> LoadCheckpoints() => _store.ReadCheckpoints();

    public string Reject(EngineCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        _ = WriteAsync(tx => _store.RejectCheckpoint(tx, checkpoint.ChannelId), null, CancellationToken.None);
        return $"the store's rejected_checkpoints table (channel {checkpoint.ChannelId})";
    }

    private bool Keep(TestSampleRecord sample) =>
        _policies.GetOrAdd(sample.ChannelId, _ => new RecordingPolicy(_options))
            .ShouldKeep(sample.TestId, sample.Timestamp, sample.StepIndex, sample.VoltageVolts, sample.CurrentAmperes, sample.StepEnd);

    // The latest sample and the recent trace see every sample the engine reported, kept or not.
    private void Observe(TestSampleRecord sample)
    {
        _latest[sample.ChannelId] = sample;
        if (_recent.IsEmptyFor(sample.ChannelId, sample.TestId))
        {
            // A new test finds nothing; a test resumed after a restart gets back what the window held before it (a read
            // once per test and restart, not per sample).
            foreach (var stored in _store.ReadLatestSamples(sample.TestId, sample.ChannelId, 20_000)
                .Where(s => sample.Timestamp - s.Timestamp <= _recent.Window))
            {
                _recent.Add(stored);
            }
        }
        _recent.Add(sample);
    }

    /// <summary>Waits until every record handed over so far is committed and the history rebuilt (no-op without a writer).</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default) => _writer?.FlushAsync(cancellationToken) ?? Task.CompletedTask;

    private ValueTask WriteAsync(Action<SqliteTransaction> write, Action? afterCommit, CancellationToken cancellationToken)
    {
        if (_writer is { } writer)
        {
            var queued = writer.EnqueueAsync(write, afterCommit, cancellationToken);
            return queued.IsCompletedSuccessfully ? ValueTask.CompletedTask : new ValueTask(queued.AsTask());
        }
        _store.WriteGroup([write], ex => System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex));
        afterCommit?.Invoke();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// With the writer: the writer retries its failed group itself, so "writable again" is its word (its last commit
    /// worked). Without: one small real write.
    /// </summary>
    public ValueTask ProbeWritableAsync(DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (_writer is { } writer)
        {
            return writer.Problem is { } problem ? ValueTask.FromException(new IOException(problem)) : ValueTask.CompletedTask;
        }
        _store.ProbeWrite(at);
        return ValueTask.CompletedTask;
    }

    private bool IsHalfCell(SqliteTransaction tx, string testId) =>
        _halfCellByTest.GetOrAdd(testId, id => _store.Chemistry(tx, id) != CellChemistry.AnodeFreeFullCell);
}
