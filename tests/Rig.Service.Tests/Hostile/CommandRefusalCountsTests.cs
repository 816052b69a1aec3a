using CsCheck;
using Rig.Service.Telemetry.Commands;

namespace Rig.Service.Tests.Hostile;

/// <summary>The per-client refusal counts published in "health" stay bounded and exact in sum, whatever names arrive.</summary>
public sealed class CommandRefusalCountsTests
{
    [Fact]
    public void Rotating_invented_names_neither_grow_the_table_nor_push_out_a_client_refused_repeatedly()
    {
        // Two to five clients refused twice before a flood of invented names (up to 2,000) interleaved with more of theirs.
        var cases = Gen.Select(Gen.Int[2, 5], Gen.Int[0, 2000], Gen.Int[0, 50].Array[5], Gen.Int[0, 1_000_000]);
        cases.Sample((heavy, invented, more, salt) =>
        {
            var counts = new CommandRefusalCounts();
            var expected = new Dictionary<string, long>();
            for (var h = 0; h < heavy; h++)
            {
                counts.Add($"client-{h}");
                counts.Add($"client-{h}");
                expected[$"client-{h}"] = 2;
            }
            var random = new Random(salt);
            var pending = Enumerable.Range(0, heavy).SelectMany(h => Enumerable.Repeat(h, more[h])).ToList();
            var sent = 0;
            while (sent < invented || pending.Count > 0)
            {
                if (pending.Count > 0 && (sent >= invented || random.Next(3) == 0))
                {
                    var h = pending[^1];
                    pending.RemoveAt(pending.Count - 1);
                    counts.Add($"client-{h}");
                    expected[$"client-{h}"]++;
                }
                else
                {
                    counts.Add($"invented-{sent++}");
                }
            }

            var table = counts.ByClient();
            Assert.True(table.Count <= CommandRefusalCounts.MaxClients + 1, $"{table.Count} rows");
            Assert.Equal(counts.Total, table.Sum(c => c.Value));
            Assert.Equal(heavy * 2L + more.Take(heavy).Sum() + invented, counts.Total);
            foreach (var (client, count) in expected)
            {
                Assert.Contains(new KeyValuePair<string, long>(client, count), table);
            }
        }, iter: 200);
    }
}
