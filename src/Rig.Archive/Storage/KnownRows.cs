using System.Collections.Concurrent;

namespace Rig.Archive.Storage;

/// <summary>
/// The bookkeeping rows this archive process has seen committed: which streams have a stream_heads row and the first
/// sample time of each test. A batch then sends only what is new (a stream or test seen for the first time, a test's
/// sample older than its known start), so a running lab costs no bookkeeping statement per batch. Lost on restart: the
/// first batch after it sends everything once more, which the database turns into nothing (ON CONFLICT). Entries are
/// added only after their transaction committed; a rolled-back batch leaves nothing here. One entry per stream and per
/// test archived: a lab's thousands, not growing with the samples, but growing with the tests of years of running
/// (50 rigs × 8 channels × a test a week is ~20,000 a year). So each set is bounded: past <see cref="MaxEntries"/> it
/// starts again empty, which costs what a restart costs (each stream's and running test's rows sent once more) and
/// can never lose a row, because the cache only ever skips statements whose effect is already in the database.
/// </summary>
public sealed class KnownRows
{
    /// <summary>Entries per set before it is emptied: ~10 MB of keys at the most.</summary>
    internal const int MaxEntries = 100_000;

    private readonly ConcurrentDictionary<(string Rig, string Stream), byte> _streams = new();
    private readonly ConcurrentDictionary<(string Rig, string TestId), DateTime> _testStarts = new();

    internal int Count => _streams.Count + _testStarts.Count;

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
        if (_streams.Count > MaxEntries)
        {
            _streams.Clear();
        }
        if (_testStarts.Count > MaxEntries)
        {
            _testStarts.Clear();
        }
    }
}
