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
    public IReadOnlyList<CurveSample> ReadCycleSamples(string testId, IReadOnlyCollection<int> cycles, long fromRecordIndex = 0)
    {
        ArgumentNullException.ThrowIfNull(cycles);
        if (cycles.Count == 0)
        {
            return [];
        }
        var names = cycles.Select((_, i) => $"$c{i}").ToArray();
        var parameters = new List<(string, object?)> { ("$id", testId), ("$from", fromRecordIndex) };
        parameters.AddRange(cycles.Select((c, i) => ((string, object?))(names[i], c)));
        return Query($"""
            SELECT s.record_index, s.cycle, s.step_type, s.voltage_V, s.charge_capacity_Ah, s.discharge_capacity_Ah
            FROM samples s JOIN tests t ON t.test_key = s.test_key
            WHERE t.test_id = $id AND s.record_index >= $from AND s.cycle IN ({string.Join(", ", names)})
            ORDER BY s.record_index
            """,
            r => new CurveSample(r.GetInt64(0), r.GetInt32(1), r.GetString(2), r.GetDouble(3), r.GetDouble(4), r.GetDouble(5)),
            [.. parameters]);
    }

    /// <summary>A test's latest stored samples, newest last: at most <paramref name="max"/>, read backwards along the primary key.</summary>
    public IReadOnlyList<TestSampleRecord> ReadLatestSamples(string testId, string channelId, int max)
    {
        var newestFirst = Query("""
            SELECT s.unix_ms, s.test_time_s, s.step_time_s, s.cycle, s.step_index, s.step_type, s.voltage_V, s.current_A,
                   s.step_capacity_Ah, s.charge_capacity_Ah, s.discharge_capacity_Ah, s.force_N, s.stack_pressure_Pa, s.temperature_degC, s.step_end
            FROM samples s JOIN tests t ON t.test_key = s.test_key
            WHERE t.test_id = $id ORDER BY s.record_index DESC LIMIT $max
            """,
            r => SampleAt(r, 0, testId, channelId),
            ("$id", testId), ("$max", max));
        newestFirst.Reverse();
        return newestFirst;
    }
}
