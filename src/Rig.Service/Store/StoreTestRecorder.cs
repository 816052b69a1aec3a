using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Rig.Service.Configuration;
using Rig.Service.Recording;
using Rig.Service.Telemetry;

namespace Rig.Service.Store;

/// <summary>
/// The engine's recorder: applies the recording policy, writes what it keeps to the store (durable before the
/// call returns) with its telemetry message queued in the same transaction. Thread-safe; one call at a time per
/// channel (the engine calls from the channel's loop).
/// </summary>
public sealed class StoreTestRecorder : ITestRecorder
{
    private readonly RigStore _store;
    private readonly CycleHistory _history;
    private readonly RecentTrace _recent;
    private readonly StoreOptions _options;
    private readonly ConcurrentDictionary<string, RecordingPolicy> _policies = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _halfCellByTest = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TestSampleRecord> _latest = new(StringComparer.Ordinal);

    public StoreTestRecorder(RigStore store, IOptions<StoreOptions> options, RecentTrace? recent = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
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
        var known = _store.FindTest(start.TestId) is not null;
        _store.AddTest(start);
        _halfCellByTest[start.TestId] = start.Cell.Chemistry == CellChemistry.AnodeFreeHalfCell;
        if (!known)
        {
            _history.TestStarted(start);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask SampleAsync(TestSampleRecord sample, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sample);
        _latest[sample.ChannelId] = sample;
        if (_recent.IsEmptyFor(sample.ChannelId, sample.TestId))
        {
            // A new test finds nothing; a test resumed after a restart gets back what the window held before it.
            foreach (var stored in _store.ReadLatestSamples(sample.TestId, sample.ChannelId, 20_000)
                .Where(s => sample.Timestamp - s.Timestamp <= _recent.Window))
            {
                _recent.Add(stored);
            }
        }
        _recent.Add(sample);
        var policy = _policies.GetOrAdd(sample.ChannelId, _ => new RecordingPolicy(_options));
        if (policy.ShouldKeep(sample.TestId, sample.Timestamp, sample.StepIndex, sample.VoltageVolts, sample.CurrentAmperes, sample.StepEnd))
        {
            var halfCell = IsHalfCell(sample.TestId);
            var recordIndex = _store.AddSample(sample, seq => TelemetryPayloads.Telemetry(sample, seq, halfCell));
            _history.SampleKept(sample, recordIndex);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask CycleClosedAsync(CycleSummary summary, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(summary);
        _store.AddCycle(summary, seq => TelemetryPayloads.Cycle(summary, seq));
        _history.CycleClosed(summary);
        return ValueTask.CompletedTask;
    }

    public ValueTask TestEndedAsync(TestEndRecord end, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(end);
        _store.EndTest(end);
        return ValueTask.CompletedTask;
    }

    private bool IsHalfCell(string testId) =>
        _halfCellByTest.GetOrAdd(testId, id => _store.FindTest(id)?.Start.Cell.Chemistry != CellChemistry.AnodeFreeFullCell);
}
