using System.Text.Json;
using Microsoft.Data.Sqlite;
using Rig.Service.Channels;
using Rig.Service.Recording;

namespace Rig.Service.Store;

/// <summary>Tests, samples, cycles, events and channel states.</summary>
public sealed partial class RigStore
{
    /// <summary>Records a test's start document. Starting an already known test id (a resume) keeps the first one.</summary>
    public void AddTest(TestStartRecord start) => Write(tx => AddTest(tx, start));

    /// <summary>As <see cref="AddTest(TestStartRecord)"/>, inside a group's transaction; true if the test is new.</summary>
    internal bool AddTest(SqliteTransaction tx, TestStartRecord start)
    {
        ArgumentNullException.ThrowIfNull(start);
        return Run(tx, "INSERT OR IGNORE INTO tests(test_id, channel_id, started_unix_ms, start_json) VALUES($id, $ch, $t, $json)",
            ("$id", start.TestId), ("$ch", start.ChannelId), ("$t", start.StartedAt.ToUnixTimeMilliseconds()),
            ("$json", JsonSerializer.Serialize(start, StoreJson.Info<TestStartRecord>()))) > 0;
    }

    public void EndTest(TestEndRecord end) => Write(tx => EndTest(tx, end));

    internal int EndTest(SqliteTransaction tx, TestEndRecord end)
    {
        ArgumentNullException.ThrowIfNull(end);
        FoldRest(tx, end.TestId);
        return Run(tx, "UPDATE tests SET ended_unix_ms = $t, final_state = $state, end_json = $json WHERE test_id = $id",
            ("$id", end.TestId), ("$t", end.EndedAt.ToUnixTimeMilliseconds()), ("$state", end.FinalState.ToString()),
            ("$json", JsonSerializer.Serialize(end, StoreJson.Info<TestEndRecord>())));
    }

    /// <summary>Stores a kept sample and, in the same transaction, its telemetry message (stream "&lt;channel&gt;/telemetry").</summary>
    public long AddSample(TestSampleRecord sample, Func<long, byte[]>? telemetryPayload) => Write(tx => AddSample(tx, sample, telemetryPayload));

    /// <summary>As <see cref="AddSample(TestSampleRecord, Func{long, byte[]}?)"/>, inside a group's transaction; returns the record index.</summary>
    internal long AddSample(SqliteTransaction tx, TestSampleRecord sample, Func<long, byte[]>? telemetryPayload)
    {
        ArgumentNullException.ThrowIfNull(sample);
        {
            var key = TestKey(tx, sample.TestId);
            var index = (_lastRecordIndex.TryGetValue(key, out var last) ? last : MaxRecordIndex(tx, key)) + 1;
            // The hottest statement of the store: prepared once (Prepared), not parsed again for every sample.
            RunPrepared(tx, ref _insertSample, """
                INSERT INTO samples VALUES($k, $i, $t, $tt, $st, $cy, $si, $stype, $v, $a, $sc, $cc, $dc, $f, $p, $temp, $end)
                """,
                key, index, sample.Timestamp.ToUnixTimeMilliseconds(), sample.TestTimeSeconds,
                sample.StepTimeSeconds, sample.Cycle, sample.StepIndex, sample.StepType,
                sample.VoltageVolts, sample.CurrentAmperes, sample.StepCapacityAmpHours,
                sample.ChargeCapacityAmpHours, sample.DischargeCapacityAmpHours, sample.ForceNewtons,
                sample.StackPressurePascals, sample.TemperatureCelsius, sample.StepEnd ? 1 : 0);
            _lastRecordIndex[key] = index;
            AfterTailInsert(tx, key, index, sample);
            if (telemetryPayload is not null)
            {
                Enqueue(tx, $"{sample.ChannelId}/telemetry", $"{sample.ChannelId}/telemetry", telemetryPayload, false, sample.Timestamp);
            }
            return index;
        }
    }

    /// <summary>Stores a closed cycle and its message (stream "&lt;channel&gt;/cycles").</summary>
    public void AddCycle(CycleSummary summary, Func<long, byte[]>? payload) => Write(tx => AddCycle(tx, summary, payload));

    internal int AddCycle(SqliteTransaction tx, CycleSummary summary, Func<long, byte[]>? payload)
    {
        ArgumentNullException.ThrowIfNull(summary);
        {
            Run(tx, "INSERT OR REPLACE INTO cycles VALUES($k, $c, $t, $json)",
                ("$k", TestKey(tx, summary.TestId)), ("$c", summary.Cycle), ("$t", summary.ClosedAt.ToUnixTimeMilliseconds()),
                ("$json", JsonSerializer.Serialize(summary, StoreJson.Info<CycleSummary>())));
            if (payload is not null)
            {
                Enqueue(tx, $"{summary.ChannelId}/cycles", $"{summary.ChannelId}/cycles", payload, false, summary.ClosedAt);
            }
            return 0;
        }
    }

    /// <summary>Stores an event or fault and its message (stream "events").</summary>
    public void AddEvent(RigEvent rigEvent, Func<long, byte[]>? payload)
    {
        ArgumentNullException.ThrowIfNull(rigEvent);
        Write(tx =>
        {
            Run(tx, "INSERT INTO events(unix_ms, severity, source, code, message, fault_kind) VALUES($t, $sev, $src, $code, $msg, $fault)",
                ("$t", rigEvent.Timestamp.ToUnixTimeMilliseconds()), ("$sev", rigEvent.Severity.ToString()), ("$src", rigEvent.Source),
                ("$code", rigEvent.Code), ("$msg", rigEvent.Message), ("$fault", rigEvent.Fault?.Kind.ToString()));
            if (payload is not null)
            {
                Enqueue(tx, "events", "events", payload, false, rigEvent.Timestamp);
            }
            return 0;
        });
    }

    /// <summary>
    /// Keeps a channel's latest state (tested or not) and queues it as a retained message (stream
    /// "&lt;channel&gt;/state"). A state not yet published is superseded (deleted): only the latest matters for a
    /// retained topic, and an outage must not pile up stale states, so this stream's seq may skip.
    /// </summary>
    public void SetChannelState(string channelId, DateTimeOffset at, string stateJson, Func<long, byte[]> payload)
    {
        Write(tx =>
        {
            Run(tx, "INSERT OR REPLACE INTO channel_state VALUES($ch, $t, $json)", ("$ch", channelId), ("$t", at.ToUnixTimeMilliseconds()), ("$json", stateJson));
            ReplaceRetained(tx, $"{channelId}/state", at, payload);
            return 0;
        });
    }

    /// <summary>The latest stored state of a channel (JSON), or null.</summary>
    public string? ChannelState(string channelId) =>
        Query("SELECT state_json FROM channel_state WHERE channel_id = $ch", r => r.GetString(0), ("$ch", channelId)).FirstOrDefault();

    public IReadOnlyList<StoredTest> ListTests() =>
        Query($"SELECT t.test_id, t.channel_id, t.started_unix_ms, t.start_json, t.end_json, {SampleCountSql} FROM tests t ORDER BY t.test_key",
            ReadTest);

    public StoredTest? FindTest(string testId) =>
        Query($"SELECT t.test_id, t.channel_id, t.started_unix_ms, t.start_json, t.end_json, {SampleCountSql} FROM tests t WHERE t.test_id = $id",
            ReadTest, ("$id", testId)).FirstOrDefault();

    /// <summary>The cell chemistry a stored test was started with (inside a group's transaction), or null for an unknown test.</summary>
    internal Configuration.CellChemistry? Chemistry(SqliteTransaction tx, string testId)
    {
        using var cmd = _db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT start_json FROM tests WHERE test_id = $id";
        cmd.Parameters.AddWithValue("$id", testId);
        return cmd.ExecuteScalar() is string json ? JsonSerializer.Deserialize(json, StoreJson.Info<TestStartRecord>())?.Cell.Chemistry : null;
    }

    /// <summary>A page of a test's samples after <paramref name="afterRecordIndex"/>, with their record index (chunks and tail).</summary>
    public IReadOnlyList<(long RecordIndex, TestSampleRecord Sample)> ReadSamples(string testId, string channelId, long afterRecordIndex, int max) =>
        InSnapshot(() => ReadSamplesNow(testId, channelId, afterRecordIndex, max));

    private List<(long RecordIndex, TestSampleRecord Sample)> ReadSamplesNow(string testId, string channelId, long afterRecordIndex, int max)
    {
        var rows = ReadChunks(testId, channelId, "c.last_index > $after", "", r => r.RecordIndex > afterRecordIndex, n => n >= max, ("$after", afterRecordIndex));
        rows.AddRange(Query($"""
            SELECT {TailColumns}
            FROM samples s JOIN tests t ON t.test_key = s.test_key
            WHERE t.test_id = $id AND s.record_index > $after ORDER BY s.record_index LIMIT $max
            """,
            r => (r.GetInt64(0), SampleAt(r, 1, testId, channelId)),
            ("$id", testId), ("$after", afterRecordIndex), ("$max", max)));
        rows.Sort((a, b) => a.RecordIndex.CompareTo(b.RecordIndex));
        return rows.Count > max ? rows.GetRange(0, max) : rows;
    }

    public IReadOnlyList<CycleSummary> ReadCycles(string testId) =>
        Query("SELECT c.summary_json FROM cycles c JOIN tests t ON t.test_key = c.test_key WHERE t.test_id = $id ORDER BY c.cycle",
            r => JsonSerializer.Deserialize(r.GetString(0), StoreJson.Info<CycleSummary>())!, ("$id", testId));

    private static StoredTest ReadTest(SqliteDataReader r) => new(r.GetString(0), r.GetString(1),
        DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)),
        JsonSerializer.Deserialize(r.GetString(3), StoreJson.Info<TestStartRecord>())!,
        r.IsDBNull(4) ? null : JsonSerializer.Deserialize(r.GetString(4), StoreJson.Info<TestEndRecord>()),
        r.GetInt64(5));

    private static double? NullableDouble(SqliteDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetDouble(ordinal);

    /// <summary>A sample from the 15 columns unix_ms … step_end starting at <paramref name="first"/>.</summary>
    private static TestSampleRecord SampleAt(SqliteDataReader r, int first, string testId, string channelId) =>
        new(testId, channelId, DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(first)), r.GetDouble(first + 1), r.GetDouble(first + 2),
            r.GetInt32(first + 3), r.GetInt32(first + 4), r.GetString(first + 5), r.GetDouble(first + 6), r.GetDouble(first + 7),
            r.GetDouble(first + 8), r.GetDouble(first + 9), r.GetDouble(first + 10), NullableDouble(r, first + 11), NullableDouble(r, first + 12),
            NullableDouble(r, first + 13), r.GetInt64(first + 14) != 0);

    private long TestKey(SqliteTransaction tx, string testId)
    {
        if (_testKeys.TryGetValue(testId, out var key))
        {
            return key;
        }
        using var cmd = _db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT test_key FROM tests WHERE test_id = $id";
        cmd.Parameters.AddWithValue("$id", testId);
        key = cmd.ExecuteScalar() is long found ? found
            : throw new InvalidOperationException($"Test '{testId}' was never started in the store (TestStartedAsync first).");
        _testKeys[testId] = key;
        return key;
    }

    private long MaxRecordIndex(SqliteTransaction tx, long key)
    {
        using var cmd = _db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT max(coalesce((SELECT max(record_index) FROM samples WHERE test_key = $k), 0), coalesce((SELECT max(last_index) FROM sample_chunks WHERE test_key = $k), 0))";
        cmd.Parameters.AddWithValue("$k", key);
        return (long)cmd.ExecuteScalar()!;
    }

    private PreparedSql? _insertSample;

    /// <summary>
    /// Runs a statement kept compiled in <paramref name="cached"/> (<see cref="PreparedSql"/>: compiled once per store,
    /// parameters bound by position through SQLite's C API, no data reader per row). <paramref name="values"/> bind to
    /// the statement's parameters in order of appearance; null binds NULL. Only under the write lock, inside
    /// <paramref name="tx"/> (every write is).
    /// </summary>
    private int RunPrepared(SqliteTransaction tx, ref PreparedSql? cached, string sql, params ReadOnlySpan<object?> values)
    {
        ArgumentNullException.ThrowIfNull(tx);
        if (cached is null)
        {
            cached = new PreparedSql(_db, sql);
            _prepared.Add(cached);
        }
        return cached.Run(values);
    }

    private readonly List<PreparedSql> _prepared = [];

    private int Run(SqliteTransaction tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = _db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return cmd.ExecuteNonQuery();
    }

    private List<T> Query<T>(string sql, Func<SqliteDataReader, T> read, params (string Name, object? Value)[] parameters)
    {
        lock (_readLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var cmd = _reads.CreateCommand();
            cmd.Transaction = _readSnapshot;
            cmd.CommandText = sql;
            foreach (var (name, value) in parameters)
            {
                cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
            }
            using var reader = cmd.ExecuteReader();
            var rows = new List<T>();
            while (reader.Read())
            {
                rows.Add(read(reader));
            }
            return rows;
        }
    }
}
