namespace Rig.Archive.Gaps;

/// <summary>A run of missing sequence numbers, both ends included.</summary>
public readonly record struct SeqRange(long From, long To)
{
    public long Count => To - From + 1;
}

/// <summary>Pure gap arithmetic, kept apart from SQL so a property test can hold it to its definition.</summary>
public static class SequenceGaps
{
    /// <summary>
    /// The ranges missing from <paramref name="present"/> (ascending, may repeat) between <paramref name="after"/>+1 and
    /// the highest present seq. Nothing after the highest is "missing": it has not been published yet.
    /// </summary>
    public static List<SeqRange> Missing(long after, IEnumerable<long> present)
    {
        ArgumentNullException.ThrowIfNull(present);
        var gaps = new List<SeqRange>();
        var expected = after + 1;
        foreach (var seq in present)
        {
            if (seq < expected)
            {
                continue;
            }
            if (seq > expected)
            {
                gaps.Add(new SeqRange(expected, seq - 1));
            }
            expected = seq + 1;
        }
        return gaps;
    }
}
