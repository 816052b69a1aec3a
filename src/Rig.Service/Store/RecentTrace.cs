using Rig.Service.Recording;

namespace Rig.Service.Store;

/// <summary>
/// Each channel's recent test samples at a coarse, fixed spacing (RecentWindow / RecentPoints) plus every step end, for
/// the retained "&lt;channel&gt;/recent" message: a dashboard opened mid-test draws the last hours of voltage, current,
/// pressure and temperature at once. Bounded: points older than the window are dropped, and never more than twice
/// RecentPoints are kept. Fed with every sample the engine reports (kept by the recording policy or not). Thread-safe.
/// </summary>
public sealed class RecentTrace
{
    private readonly TimeSpan _window;
    private readonly TimeSpan _spacing;
    private readonly int _maxPoints;
    private readonly Dictionary<string, ChannelTrace> _channels = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public RecentTrace(TimeSpan window, int points)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(points, 2);
        _window = window;
        _spacing = window / points;
        _maxPoints = 2 * points;
    }

    public TimeSpan Window => _window;

    /// <summary>True when the channel holds nothing of this test yet (a new test, or the first sample after a restart).</summary>
    public bool IsEmptyFor(string channelId, string testId)
    {
        lock (_lock)
        {
            return !_channels.TryGetValue(channelId, out var trace) || trace.TestId != testId || trace.Points.Count == 0;
        }
    }

    /// <summary>Offers a sample; keeps it when it is the test's first, a step end, or a spacing after the last kept one.</summary>
    public void Add(TestSampleRecord sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        lock (_lock)
        {
            var trace = For(sample.ChannelId, sample.TestId);
            var last = trace.Points.Count > 0 ? trace.Points[^1] : null;
            if (last is not null && sample.Timestamp <= last.Timestamp)
            {
                return;
            }
            // The regular points keep their own grid: a step end in between is kept too but does not shift it.
            var due = trace.LastRegular is not { } regular || sample.Timestamp - regular >= _spacing;
            if (due || sample.StepEnd)
            {
                trace.Points.Add(sample);
                trace.LastRegular = due ? sample.Timestamp : trace.LastRegular;
                Trim(trace, sample.Timestamp);
                trace.Version++;
            }
        }
    }

    /// <summary>What the channel holds now, with a version that changes whenever it does; null when it never held a test.</summary>
    public (string TestId, IReadOnlyList<TestSampleRecord> Points, long Version)? Snapshot(string channelId)
    {
        lock (_lock)
        {
            return _channels.TryGetValue(channelId, out var trace) ? (trace.TestId, [.. trace.Points], trace.Version) : null;
        }
    }

    private ChannelTrace For(string channelId, string testId)
    {
        if (!_channels.TryGetValue(channelId, out var trace) || trace.TestId != testId)
        {
            trace = new ChannelTrace(testId);
            _channels[channelId] = trace;
        }
        return trace;
    }

    private void Trim(ChannelTrace trace, DateTimeOffset newest)
    {
        var cut = trace.Points.FindIndex(p => newest - p.Timestamp <= _window);
        if (cut > 0)
        {
            trace.Points.RemoveRange(0, cut);
        }
        if (trace.Points.Count > _maxPoints)
        {
            trace.Points.RemoveRange(0, trace.Points.Count - _maxPoints);
        }
    }

    private sealed class ChannelTrace(string testId)
    {
        public string TestId { get; } = testId;
        public List<TestSampleRecord> Points { get; } = [];
        public long Version { get; set; }
        public DateTimeOffset? LastRegular { get; set; }
    }
}
