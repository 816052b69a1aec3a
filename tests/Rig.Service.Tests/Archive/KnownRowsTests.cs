using CsCheck;
using Rig.Archive.Storage;

namespace Rig.Service.Tests.Archive;

/// <summary>
/// The archive's cache of committed bookkeeping rows: it may forget (then a batch sends a row again, which the database
/// ignores), but it must never claim a row it was not told about, and it stays bounded however many tests a lab runs.
/// </summary>
public class KnownRowsTests
{
    [Fact]
    public void It_only_ever_knows_what_was_committed_and_keeps_a_tests_earliest_start()
    {
        var streams = Gen.Select(Gen.Int[0, 20], Gen.Int[0, 20]).Select((r, s) => ($"rig-{r}", $"ch{s}/telemetry"));
        var tests = Gen.Select(Gen.Int[0, 20], Gen.Int[0, 30], Gen.Int[0, 1_000_000]).Select((r, t, s) => (($"rig-{r}", $"T{t}"), DateTime.UnixEpoch.AddSeconds(s)));
        Gen.Select(streams.Array[0, 30].Array[1, 5], tests.Array[0, 30].Array[1, 5]).Sample((streamBatches, testBatches) =>
        {
            var known = new KnownRows();
            var committedStreams = new HashSet<(string, string)>();
            var earliest = new Dictionary<(string, string), DateTime>();
            for (var i = 0; i < Math.Max(streamBatches.Length, testBatches.Length); i++)
            {
                var s = i < streamBatches.Length ? streamBatches[i] : [];
                var t = i < testBatches.Length ? testBatches[i] : [];
                known.Committed(s, t);
                committedStreams.UnionWith(s);
                foreach (var (test, first) in t)
                {
                    earliest[test] = earliest.TryGetValue(test, out var e) && e < first ? e : first;
                }
            }
            for (var r = 0; r <= 20; r++)
            {
                for (var c = 0; c <= 20; c++)
                {
                    var stream = ($"rig-{r}", $"ch{c}/telemetry");
                    Assert.Equal(committedStreams.Contains(stream), known.HasStream(stream));
                }
            }
            foreach (var (test, first) in earliest)
            {
                Assert.True(known.HasTestStartedBy(test, first));
                Assert.False(known.HasTestStartedBy(test, first.AddTicks(-1)));
            }
        });
    }

    [Fact]
    public void Years_of_tests_never_grow_it_past_its_bound()
    {
        var known = new KnownRows();
        var start = DateTime.UnixEpoch;
        for (var batch = 0; batch < 3 * KnownRows.MaxEntries / 1000; batch++)
        {
            var tests = Enumerable.Range(batch * 1000, 1000).Select(i => (("rig-01", $"T{i}"), start.AddSeconds(i))).ToArray();
            var streams = Enumerable.Range(batch * 1000, 1000).Select(i => ("rig-01", $"s{i}")).ToArray();
            known.Committed(streams, tests);
            Assert.True(known.Count <= 2 * (KnownRows.MaxEntries + 1000), $"{known.Count} entries after batch {batch}");
        }
        // Forgetting is allowed; what it still claims must have been committed.
        Assert.True(known.HasTestStartedBy(("rig-01", $"T{3 * KnownRows.MaxEntries - 1}"), start.AddSeconds(3 * KnownRows.MaxEntries - 1)));
        Assert.False(known.HasTestStartedBy(("rig-01", "T-never"), start));
    }
}
