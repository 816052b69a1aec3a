using Microsoft.Data.Sqlite;
using Rig.Service.Recording;

namespace Rig.Service.Store;

/// <summary>Retained documents that only matter in their latest version, and the samples the cycle history reads.</summary>
public sealed partial class RigStore
{
    /// <summary>
    /// Queues <paramref name="payload"/> as the retained message of <paramref name="stream"/> (topic = stream),
    /// superseding a version not yet published: an outage must not pile up stale copies, so such a stream's seq may skip.
    /// </summary>
    public void SetRetained(string stream, DateTimeOffset at, Func<long, byte[]> payload) =>
        Write(tx =>
        {
            ReplaceRetained(tx, stream, at, payload);
            return 0;
        });

    private void ReplaceRetained(SqliteTransaction tx, string stream, DateTimeOffset at, Func<long, byte[]> payload)
    {
        Run(tx, "DELETE FROM outbox WHERE stream = $s AND sent_unix_ms IS NULL", ("$s", stream));
        Enqueue(tx, stream, stream, payload, true, at);
    }

    /// <summary>
    /// The stored samples of some cycles of a test, in record order, from <paramref name="fromRecordIndex"/> on (a
    /// range of the primary key when the caller knows where the cycle began; 0 scans the whole test).
    /// </summary>
    public IReadOnlyList<CurveSample> ReadCycleSamples(string testId, IReadOnlyCollection<int> cycles, long fromRecordIndex = 0) =>
        InSnapshot(() => ReadCycleSamplesNow(testId, cycles, fromRecordIndex));

    private List<CurveSample> ReadCycleSamplesNow(string testId, IReadOnlyCollection<int> cycles, long fromRecordIndex)
    {
        ArgumentNullException.ThrowIfNull(cycles);
        if (cycles.Count == 0)
        {
            return [];
        }
        var names = cycles.Select((_, i) => $"$c{i}").ToArray();
        var parameters = new List<(string, object?)> { ("$id", testId), ("$from", fromRecordIndex) };
        parameters.AddRange(cycles.Select((c, i) => ((string, object?))(names[i], c)));
        var wanted = cycles.ToHashSet();
        var curve = ReadChunks(testId, "", "c.last_index >= $from AND c.max_cycle >= $minc AND c.min_cycle <= $maxc", "",
                r => r.RecordIndex >= fromRecordIndex && wanted.Contains(r.Sample.Cycle), _ => false,
                ("$from", fromRecordIndex), ("$minc", wanted.Min()), ("$maxc", wanted.Max()))
            .Select(r => new CurveSample(r.RecordIndex, r.Sample.Cycle, r.Sample.StepType, r.Sample.VoltageVolts, r.Sample.ChargeCapacityAmpHours, r.Sample.DischargeCapacityAmpHours))
            .ToList();
        curve.AddRange(Query($"""
            SELECT s.record_index, s.cycle, s.step_type, s.voltage_V, s.charge_capacity_Ah, s.discharge_capacity_Ah
            FROM samples s JOIN tests t ON t.test_key = s.test_key
            WHERE t.test_id = $id AND s.record_index >= $from AND s.cycle IN ({string.Join(", ", names)})
            ORDER BY s.record_index
            """,
            r => new CurveSample(r.GetInt64(0), r.GetInt32(1), r.GetString(2), r.GetDouble(3), r.GetDouble(4), r.GetDouble(5)),
            [.. parameters]));
        curve.Sort((x, y) => x.RecordIndex.CompareTo(y.RecordIndex));
        return curve;
    }

    /// <summary>A test's latest stored samples, newest last: at most <paramref name="max"/>, read backwards along the primary keys (tail, then chunks).</summary>
    public IReadOnlyList<TestSampleRecord> ReadLatestSamples(string testId, string channelId, int max) =>
        InSnapshot(() => ReadLatestSamplesNow(testId, channelId, max));

    private List<TestSampleRecord> ReadLatestSamplesNow(string testId, string channelId, int max)
    {
        var newestFirst = Query($"""
            SELECT {TailColumns}
            FROM samples s JOIN tests t ON t.test_key = s.test_key
            WHERE t.test_id = $id ORDER BY s.record_index DESC LIMIT $max
            """,
            r => (RecordIndex: r.GetInt64(0), Sample: SampleAt(r, 1, testId, channelId)),
            ("$id", testId), ("$max", max));
        if (newestFirst.Count < max)
        {
            var need = max - newestFirst.Count;
            var oldest = newestFirst.Count > 0 ? newestFirst[^1].RecordIndex : long.MaxValue;
            newestFirst.AddRange(ReadChunks(testId, channelId, "c.first_index < $before", "DESC", r => r.RecordIndex < oldest, n => n >= need, ("$before", oldest))
                .Take(need));
        }
        newestFirst.Reverse();
        return newestFirst.ConvertAll(r => r.Sample);
    }
}
