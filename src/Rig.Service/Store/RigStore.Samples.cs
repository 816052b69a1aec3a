using Microsoft.Data.Sqlite;
using Rig.Service.Recording;
using Rig.Service.Store.Chunks;

namespace Rig.Service.Store;

/// <summary>
/// Samples at rest: closed chunks of <see cref="ChunkSamples"/> samples (table sample_chunks, <see cref="SampleChunk"/>)
/// and the open tail, one row per sample in the table samples (the schema every store had before chunks). A sample
/// is written to the tail in its group's transaction, so the durability promise is unchanged; when a test's tail holds
/// a chunk's worth it is folded into a chunk in the same transaction (its rows deleted), and a test's end folds what
/// is left. A store written before chunks existed is read as it is (its rows are a long tail) and folded into chunks
/// by <see cref="FoldOldSamples"/> a few chunks at a time while the writer is idle.
/// </summary>
public sealed partial class RigStore
{
    /// <summary>Samples per chunk: ~2-4 KB blobs, so the per-chunk key and header cost little per sample.</summary>
    public const int DefaultChunkSamples = 128;

    private const string TailColumns = """
        record_index, unix_ms, test_time_s, step_time_s, cycle, step_index, step_type, voltage_V, current_A,
        step_capacity_Ah, charge_capacity_Ah, discharge_capacity_Ah, force_N, stack_pressure_Pa, temperature_degC, step_end
        """;

    private readonly Dictionary<long, long> _tailCount = [];
    private Queue<long>? _oldSampleTests;

    /// <summary>How many samples a closed chunk holds.</summary>
    public int ChunkSamples { get; }

    /// <summary>
    /// A test's tail rows as this process wrote them (as SQLite gives them back: see <see cref="AsStored"/>), kept while
    /// they are all of the tail, so the fold encodes them without reading back and decoding the rows it just inserted
    /// (a third of the fold's time). Absent when the tail holds rows from before (a restart, a rollback): then the fold
    /// reads them. At most one chunk's worth per running test.
    /// </summary>
    private readonly Dictionary<long, List<(long RecordIndex, TestSampleRecord Sample)>> _tailRows = [];

    /// <summary>Counts the sample in its test's tail and folds the tail into a chunk when it holds a chunk's worth.</summary>
    private void AfterTailInsert(SqliteTransaction tx, long key, long recordIndex, TestSampleRecord sample)
    {
        var count = _tailCount.TryGetValue(key, out var known) ? known + 1 : CountTail(tx, key, long.MaxValue);
        _tailCount[key] = count;
        if (_tailRows.TryGetValue(key, out var rows) && rows.Count == count - 1)
        {
            rows.Add((recordIndex, AsStored(sample)));
        }
        else if (count == 1)
        {
            _tailRows[key] = new List<(long, TestSampleRecord)>(Math.Min(ChunkSamples, 1024)) { (recordIndex, AsStored(sample)) };
        }
        else
        {
            _tailRows.Remove(key);
        }
        if (count >= ChunkSamples)
        {
            FoldTail(tx, key, sample.TestId, sample.ChannelId, ChunkSamples);
        }
    }

    /// <summary>
    /// A sample as its tail row reads back: the time in whole milliseconds (unix_ms), a NaN in a nullable column as
    /// null, -0 as 0 (SQLite stores an integral REAL as an integer). A NaN in a NOT NULL column never gets this far.
    /// </summary>
    private static TestSampleRecord AsStored(TestSampleRecord s) => s with
    {
        Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(s.Timestamp.ToUnixTimeMilliseconds()),
        TestTimeSeconds = Stored(s.TestTimeSeconds),
        StepTimeSeconds = Stored(s.StepTimeSeconds),
        VoltageVolts = Stored(s.VoltageVolts),
        CurrentAmperes = Stored(s.CurrentAmperes),
        StepCapacityAmpHours = Stored(s.StepCapacityAmpHours),
        ChargeCapacityAmpHours = Stored(s.ChargeCapacityAmpHours),
        DischargeCapacityAmpHours = Stored(s.DischargeCapacityAmpHours),
        ForceNewtons = Stored(s.ForceNewtons),
        StackPressurePascals = Stored(s.StackPressurePascals),
        TemperatureCelsius = Stored(s.TemperatureCelsius),
    };

    private static double Stored(double value) => value == 0 ? 0.0 : value;

    private static double? Stored(double? value) => value is { } v ? double.IsNaN(v) ? null : Stored(v) : null;

    /// <summary>Folds the oldest <paramref name="max"/> tail samples of a test into one chunk; returns how many.</summary>
    private int FoldTail(SqliteTransaction tx, long key, string testId, string channelId, int max)
    {
        List<(long, TestSampleRecord)> rows;
        if (_tailRows.TryGetValue(key, out var known) && _tailCount.TryGetValue(key, out var count) && known.Count == count)
        {
            rows = known.GetRange(0, Math.Min(max, known.Count));
            known.RemoveRange(0, rows.Count);
        }
        else
        {
            _tailRows.Remove(key);
            rows = ReadTail(tx, key, testId, channelId, max);
        }
        if (rows.Count == 0)
        {
            return 0;
        }
        var data = SampleChunk.Encode(rows);
        Run(tx, "INSERT INTO sample_chunks(test_key, first_index, last_index, sample_count, min_cycle, max_cycle, data) VALUES($k, $first, $last, $n, $minc, $maxc, $data)",
            ("$k", key), ("$first", rows[0].Item1), ("$last", rows[^1].Item1), ("$n", rows.Count),
            ("$minc", rows.Min(r => r.Item2.Cycle)), ("$maxc", rows.Max(r => r.Item2.Cycle)), ("$data", data));
        Run(tx, "DELETE FROM samples WHERE test_key = $k AND record_index <= $last", ("$k", key), ("$last", rows[^1].Item1));
        if (_tailCount.TryGetValue(key, out var before))
        {
            _tailCount[key] = before - rows.Count;
        }
        return rows.Count;
    }

    /// <summary>The oldest <paramref name="max"/> tail rows of a test, read back from the table.</summary>
    private List<(long, TestSampleRecord)> ReadTail(SqliteTransaction tx, long key, string testId, string channelId, int max)
    {
        var rows = new List<(long, TestSampleRecord)>(Math.Min(max, 1024));
        using var cmd = _db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = $"SELECT {TailColumns} FROM samples WHERE test_key = $k ORDER BY record_index LIMIT $max";
        cmd.Parameters.AddWithValue("$k", key);
        cmd.Parameters.AddWithValue("$max", max);
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            rows.Add((reader.GetInt64(0), SampleAt(reader, 1, testId, channelId)));
        }
        return rows;
    }

    /// <summary>A test's tail rows, counted up to <paramref name="limit"/> (an old store's tail may be millions long).</summary>
    private long CountTail(SqliteTransaction tx, long key, long limit)
    {
        using var cmd = _db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT count(*) FROM (SELECT 1 FROM samples WHERE test_key = $k LIMIT $limit)";
        cmd.Parameters.AddWithValue("$k", key);
        cmd.Parameters.AddWithValue("$limit", limit);
        return (long)cmd.ExecuteScalar()!;
    }

    /// <summary>At a test's end: what is left of its tail becomes its last (shorter) chunk.</summary>
    private void FoldRest(SqliteTransaction tx, string testId)
    {
        if (FindKey(tx, testId) is not { } found)
        {
            return;
        }
        while (FoldTail(tx, found.Key, testId, found.ChannelId, ChunkSamples) > 0)
        {
        }
        _tailCount[found.Key] = 0;
        _tailRows.Remove(found.Key);
    }

    private (long Key, string ChannelId)? FindKey(SqliteTransaction? tx, string testId)
    {
        using var cmd = _db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT test_key, channel_id FROM tests WHERE test_id = $id";
        cmd.Parameters.AddWithValue("$id", testId);
        using var reader = cmd.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), reader.GetString(1)) : null;
    }

    /// <summary>
    /// Migration of sample rows written one per row (a store from before chunks): folds at most
    /// <paramref name="maxChunks"/> full chunks (and the rest of ended tests) in one transaction. Returns how many
    /// chunks it wrote; 0 once nothing is left, after which it costs nothing.
    /// </summary>
    public int FoldOldSamples(int maxChunks)
    {
        if (_oldSampleTests is { Count: 0 })
        {
            return 0;
        }
        return Write(tx =>
        {
            if (_oldSampleTests is null)
            {
                _oldSampleTests = new Queue<long>();
                using var all = _db.CreateCommand();
                all.Transaction = tx;
                all.CommandText = "SELECT test_key FROM tests ORDER BY test_key";
                using var reader = all.ExecuteReader();
                while (reader.Read())
                {
                    _oldSampleTests.Enqueue(reader.GetInt64(0));
                }
            }
            var folded = 0;
            while (folded < maxChunks && _oldSampleTests.TryPeek(out var key))
            {
                using var cmd = _db.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = "SELECT test_id, channel_id, ended_unix_ms IS NOT NULL FROM tests WHERE test_key = $k";
                cmd.Parameters.AddWithValue("$k", key);
                string testId, channelId;
                bool ended;
                using (var reader = cmd.ExecuteReader())
                {
                    if (!reader.Read())
                    {
                        _oldSampleTests.Dequeue();
                        continue;
                    }
                    (testId, channelId, ended) = (reader.GetString(0), reader.GetString(1), reader.GetBoolean(2));
                }
                var tail = CountTail(tx, key, ChunkSamples);
                if (tail >= ChunkSamples || (ended && tail > 0))
                {
                    FoldTail(tx, key, testId, channelId, ChunkSamples);
                    _tailCount.Remove(key);
                    _tailRows.Remove(key);
                    folded++;
                    continue;
                }
                _oldSampleTests.Dequeue();
            }
            return folded;
        });
    }

    /// <summary>Decoded samples of a test's chunks matching <paramref name="where"/> (SQL over sample_chunks c), in record order; stops once <paramref name="enough"/> says so.</summary>
    private List<(long RecordIndex, TestSampleRecord Sample)> ReadChunks(string testId, string channelId, string where, string order,
        Func<(long RecordIndex, TestSampleRecord Sample), bool> keep, Func<int, bool> enough, params (string Name, object? Value)[] parameters)
    {
        var rows = new List<(long, TestSampleRecord)>();
        lock (_readLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var cmd = _reads.CreateCommand();
            cmd.Transaction = _readSnapshot;
            cmd.CommandText = $"SELECT c.data FROM sample_chunks c JOIN tests t ON t.test_key = c.test_key WHERE t.test_id = $id AND {where} ORDER BY c.first_index {order}";
            cmd.Parameters.AddWithValue("$id", testId);
            foreach (var (name, value) in parameters)
            {
                cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
            }
            using var reader = cmd.ExecuteReader();
            while (reader.Read() && !enough(rows.Count))
            {
                var chunk = SampleChunk.Decode((byte[])reader.GetValue(0), testId, channelId);
                if (order == "DESC")
                {
                    chunk.Reverse();
                }
                rows.AddRange(chunk.Where(keep));
            }
        }
        return rows;
    }

    private SqliteTransaction? _readSnapshot;

    /// <summary>Runs <paramref name="read"/>'s queries in one read transaction: a fold committed between two of them would otherwise hide its samples from both.</summary>
    private T InSnapshot<T>(Func<T> read)
    {
        lock (_readLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var snapshot = _reads.BeginTransaction(deferred: true);
            _readSnapshot = snapshot;
            try
            {
                return read();
            }
            finally
            {
                _readSnapshot = null;
            }
        }
    }

    /// <summary>The SQL that counts a test's samples (chunks and tail), for a query over tests t.</summary>
    private const string SampleCountSql =
        "(SELECT coalesce(sum(c.sample_count), 0) FROM sample_chunks c WHERE c.test_key = t.test_key) + (SELECT count(*) FROM samples s WHERE s.test_key = t.test_key)";
}
