using CsCheck;
using Rig.Archive.Gaps;

namespace Rig.Service.Tests.Archive;

public sealed class SequenceGapsTests
{
    [Fact]
    public void The_missing_ranges_are_exactly_the_seqs_between_the_watermark_and_the_highest_present_that_did_not_arrive()
    {
        // Any arrival order with repeats (redeliveries), any watermark: the ranges are disjoint, ascending, and their
        // union plus the present seqs is every seq from watermark+1 to the highest present.
        Gen.Select(Gen.Long[0, 50], Gen.Long[1, 200].Array[0, 120]).Sample((after, arrived) =>
        {
            var present = arrived.Order().ToList();
            var missing = SequenceGaps.Missing(after, present);
            var high = present.Where(s => s > after).DefaultIfEmpty(after).Max();
            var expected = Enumerable.Range(0, (int)(high - after)).Select(i => after + 1 + i).Except(present).ToList();
            var listed = missing.SelectMany(r => Enumerable.Range(0, (int)r.Count).Select(i => r.From + i)).ToList();
            Assert.Equal(expected, listed);
            Assert.All(missing.Zip(missing.Skip(1)), pair => Assert.True(pair.First.To + 1 < pair.Second.From));
        });
    }
}
