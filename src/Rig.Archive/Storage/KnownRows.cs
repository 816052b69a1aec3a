using System.Collections.Concurrent;

namespace Rig.Archive.Storage;

/// <summary>
/// The bookkeeping rows this archive process has seen committed: which streams have a stream_heads row and the first
/// sample time of each test. A batch then sends only what is new (a stream or test seen for the first time, a test's
/// sample older than its known start), so a running lab costs no bookkeeping statement per batch. Lost on restart: the
/// first batch after it sends everything once more, which the database turns into nothing (ON CONFLICT). Entries are
/// added only after their transaction committed; a rolled-back batch leaves nothing here. One entry per stream and per
/// test ever archived: a lab's thousands, not growing with the samples.
/// </summary>
public sealed class KnownRows
{
    private readonly ConcurrentDictionary<(string Rig, string Stream), byte> _streams = new();
    private readonly ConcurrentDictionary<(string Rig, string TestId), DateTime> _testStarts = new();

    public bool HasStream((string Rig, string Stream) stream) => _streams.ContainsKey(stream);

    /// <summary>True when the test is known to have started at or before <paramref name="first"/>: nothing to write.</summary>
    public bool HasTestStartedBy((string Rig, string TestId) test, DateTime first) =>
        _testStarts.TryGetValue(test, out var known) && known <= first;

    public void Committed(IEnumerable<(string Rig, string Stream)> streams, IEnumerable<((string Rig, string TestId) Test, DateTime First)> testStarts)
    {
        ArgumentNullException.ThrowIfNull(streams);
        ArgumentNullException.ThrowIfNull(testStarts);
        foreach (var stream in streams)
        {
            _streams.TryAdd(stream, 0);
        }
        foreach (var (test, first) in testStarts)
        {
            _testStarts.AddOrUpdate(test, first, (_, known) => first < known ? first : known);
        }
    }
}
