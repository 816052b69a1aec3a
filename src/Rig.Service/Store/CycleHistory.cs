using System.Collections.Concurrent;
using Rig.Service.Recording;
using Rig.Service.Telemetry;

namespace Rig.Service.Store;

/// <summary>
/// Keeps each channel's retained "&lt;channel&gt;/history" message up to date: every cycle summary of the channel's
/// current test, and the voltage-capacity curves of milestone cycles (1, 2, 3, 5, 10, 20, 50, every 100th) and of the
/// latest one. A dashboard opened (or reloaded) mid-test draws its capacity, CE and voltage-capacity plots from this one
/// message instead of only from what arrives while it is open. One call at a time per channel (the engine's loop).
/// </summary>
public sealed class CycleHistory
{
    private readonly RigStore _store;
    private readonly ConcurrentDictionary<string, ChannelCurves> _channels = new(StringComparer.Ordinal);

    public CycleHistory(RigStore store) => _store = store;

    public static bool IsMilestone(int cycle) => cycle <= 3 || cycle is 5 or 10 or 20 or 50 || cycle % 100 == 0;

    public static string Stream(string channelId) => $"{channelId}/history";

    /// <summary>A new test on the channel: its history starts empty (and says which test it belongs to).</summary>
    public void TestStarted(TestStartRecord start)
    {
        ArgumentNullException.ThrowIfNull(start);
        _channels[start.ChannelId] = new ChannelCurves(start.TestId) { Start = start };
        _store.SetRetained(Stream(start.ChannelId), start.StartedAt,
            seq => HistoryPayload.Build(start, [], [], seq));
    }

    /// <summary>A kept sample: remembers where each cycle's samples begin so a closing cycle reads only its own rows.</summary>
    public void SampleKept(TestSampleRecord sample, long recordIndex)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var curves = Curves(sample.ChannelId, sample.TestId);
        if (curves.CurrentCycle != sample.Cycle)
        {
            curves.CurrentCycle = sample.Cycle;
            curves.CurrentCycleStart = recordIndex;
        }
    }

    /// <summary>A cycle closed (its summary is stored): republish the channel's history.</summary>
    public void CycleClosed(CycleSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var curves = Curves(summary.ChannelId, summary.TestId);
        // After a restart the cache is cold: read the test, its cycles and the earlier milestones once (one pass over the
        // test's samples); afterwards a closing cycle only reads its own samples.
        if (curves.Start is null)
        {
            if (_store.FindTest(summary.TestId) is not { } test)
            {
                return;
            }
            curves.Start = test.Start;
            curves.Cycles.AddRange(_store.ReadCycles(summary.TestId).Where(c => c.Cycle < summary.Cycle));
            var missing = Enumerable.Range(1, Math.Max(0, summary.Cycle - 1)).Where(IsMilestone).ToArray();
            var samples = _store.ReadCycleSamples(summary.TestId, missing);
            foreach (var cycle in missing)
            {
                curves.Milestones[cycle] = CycleCurve.From(cycle, samples);
            }
        }
        curves.Cycles.RemoveAll(c => c.Cycle == summary.Cycle);
        curves.Cycles.Add(summary);
        var from = curves.CurrentCycle == summary.Cycle ? curves.CurrentCycleStart : 0;
        var latest = CycleCurve.From(summary.Cycle, _store.ReadCycleSamples(summary.TestId, [summary.Cycle], from));
        if (IsMilestone(summary.Cycle))
        {
            curves.Milestones[summary.Cycle] = latest;
        }
        var shown = curves.Milestones.Values.Where(c => c.Cycle != latest.Cycle).Append(latest).OrderBy(c => c.Cycle).ToList();
        var start = curves.Start;
        var cycles = curves.Cycles.ToList();
        _store.SetRetained(Stream(summary.ChannelId), summary.ClosedAt, seq => HistoryPayload.Build(start, cycles, shown, seq));
    }

    private ChannelCurves Curves(string channelId, string testId)
    {
        var curves = _channels.GetOrAdd(channelId, _ => new ChannelCurves(testId));
        if (curves.TestId != testId)
        {
            curves = new ChannelCurves(testId);
            _channels[channelId] = curves;
        }
        return curves;
    }

    private sealed class ChannelCurves(string testId)
    {
        public string TestId { get; } = testId;
        public SortedDictionary<int, CycleCurve> Milestones { get; } = [];
        /// <summary>Null until the cache is filled (a new test, or the first cycle closed after a restart).</summary>
        public TestStartRecord? Start { get; set; }
        public List<CycleSummary> Cycles { get; } = [];
        public int CurrentCycle { get; set; } = -1;
        public long CurrentCycleStart { get; set; }
    }
}
