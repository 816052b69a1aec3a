using Microsoft.Data.Sqlite;

namespace Rig.Service.Store;

/// <summary>
/// The rig's durable local store: one SQLite file in WAL mode. Every write is a transaction that is on disk
/// before the call returns; what is to be published goes into the outbox in the same transaction as the data
/// it describes, with the next sequence number of its stream, so data and outbox never disagree.
/// Thread-safe: one connection behind a lock (SQLite serialises writers anyway).
/// </summary>
public sealed partial class RigStore : IDisposable
{
    private readonly SqliteConnection _db;
    private readonly Lock _lock = new();
    // Reads go through their own connection: in WAL mode they see the last committed state without waiting for a
    // commit (and its fsync) in progress on the write connection.
    private readonly SqliteConnection _reads;
    private readonly Lock _readLock = new();
    private readonly Dictionary<string, long> _lastSeq = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _testKeys = new(StringComparer.Ordinal);
    private readonly Dictionary<long, long> _lastRecordIndex = [];
    private readonly bool _syncEveryCommit;
    private bool _disposed;

    public RigStore(string path, bool syncEveryCommit = true, int chunkSamples = DefaultChunkSamples)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSamples, 1);
        ChunkSamples = chunkSamples;
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        _syncEveryCommit = syncEveryCommit;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString());
        _db.Open();
        Execute("PRAGMA journal_mode=WAL;");
        Execute(syncEveryCommit ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;");
        Execute("PRAGMA busy_timeout=5000;");
        LimitMemory(_db);
        Execute(StoreSchema.Create);
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT stream, last_seq FROM streams";
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            _lastSeq[reader.GetString(0)] = reader.GetInt64(1);
        }
        _reads = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString());
        _reads.Open();
        using var busy = _reads.CreateCommand();
        busy.CommandText = "PRAGMA busy_timeout=5000;";
        busy.ExecuteNonQuery();
        LimitMemory(_reads);
    }

    /// <summary>
    /// Page cache per connection, in KiB (SQLite's <c>cache_size</c> as a negative number). SQLite's default is
    /// 2,000 KiB per connection, filled as the file grows: with two connections that was up to ~4 MiB of the
    /// service's resident memory within the first minutes of a test, on a Pi with 1-2 GB (issue 19). The writer's
    /// working set is the tail of an append-mostly file (the last chunk and outbox pages and the b-tree pages above
    /// them), the reads are one test's rows or one outbox page, streamed: 512 KiB (128 pages of 4 KiB) holds both
    /// (docs/benchmarks.md, "Memory, step 5").
    /// </summary>
    internal const int CacheKibPerConnection = 512;

    /// <summary>
    /// Caps the connection's page cache (<see cref="CacheKibPerConnection"/>) and keeps memory-mapped I/O off
    /// (<c>mmap_size=0</c>, SQLite's default, stated so that a build of SQLite with another default cannot map the whole
    /// file into the service's address space: mapped pages count as resident once read).
    /// </summary>
    private static void LimitMemory(SqliteConnection connection)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"PRAGMA cache_size=-{CacheKibPerConnection}; PRAGMA mmap_size=0;";
        cmd.ExecuteNonQuery();
    }

    /// <summary>The connection reads go through (tests check its settings).</summary>
    internal SqliteConnection ReadConnection => _reads;

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>The connection every write commits on (the benchmark hooks its commits to simulate a slow SD card).</summary>
    internal SqliteConnection WriteConnection => _db;

    /// <summary>Raised (outside the lock) after rows were added to the outbox, so the publisher wakes at once.</summary>
    public event Action? OutboxAppended;

    /// <summary>The outbox's oldest unsent messages after <paramref name="afterId"/>, in order; at most <paramref name="max"/>.</summary>
    public IReadOnlyList<OutboxMessage> ReadUnsent(long afterId, int max)
    {
        lock (_readLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var cmd = _reads.CreateCommand();
            cmd.CommandText = "SELECT id, stream, seq, topic, payload, retain, created_unix_ms FROM outbox WHERE sent_unix_ms IS NULL AND id > $after ORDER BY id LIMIT $max";
            cmd.Parameters.AddWithValue("$after", afterId);
            cmd.Parameters.AddWithValue("$max", max);
            using var reader = cmd.ExecuteReader();
            var page = new List<OutboxMessage>(max);
            while (reader.Read())
            {
                page.Add(new OutboxMessage(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3),
                    (byte[])reader.GetValue(4), reader.GetInt64(5) != 0, DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6))));
            }
            return page;
        }
    }

    /// <summary>
    /// Marks outbox rows sent (their PUBACK arrived). Committed without an fsync even when every other commit has one:
    /// it survives a process crash (WAL), and a power cut that loses it only makes those rows be published again (at
    /// least once), so the publisher does not wait for the disk between pages. One UPDATE per run of consecutive ids
    /// (a page of live telemetry is one run), never over an id that is not in <paramref name="ids"/>: a row between two
    /// runs may have been put back in the queue by a replay meanwhile, and must stay unsent.
    /// </summary>
    public void MarkSent(IReadOnlyCollection<long> ids, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0)
        {
            return;
        }
        var runs = Runs(ids);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_syncEveryCommit)
            {
                Execute("PRAGMA synchronous=NORMAL;");
            }
            try
            {
                using var tx = _db.BeginTransaction();
                var unixMs = at.ToUnixTimeMilliseconds();
                foreach (var (first, last) in runs)
                {
                    RunPrepared(tx, ref _markSent, "UPDATE outbox SET sent_unix_ms = $at WHERE id BETWEEN $first AND $last", unixMs, first, last);
                }
                tx.Commit();
            }
            finally
            {
                if (_syncEveryCommit)
                {
                    Execute("PRAGMA synchronous=FULL;");
                }
            }
        }
    }

    private PreparedSql? _markSent;

    /// <summary>The runs of consecutive values in <paramref name="ids"/> (any order, duplicates allowed), ascending.</summary>
    internal static List<(long First, long Last)> Runs(IEnumerable<long> ids)
    {
        var sorted = ids.Order().ToList();
        var runs = new List<(long First, long Last)>();
        foreach (var id in sorted)
        {
            if (runs.Count > 0 && id <= runs[^1].Last + 1)
            {
                runs[^1] = (runs[^1].First, Math.Max(runs[^1].Last, id));
            }
            else
            {
                runs.Add((id, id));
            }
        }
        return runs;
    }

    /// <summary>How many outbox messages wait to be published.</summary>
    public long CountUnsent()
    {
        lock (_readLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var cmd = _reads.CreateCommand();
            cmd.CommandText = "SELECT count(*) FROM outbox WHERE sent_unix_ms IS NULL";
            return (long)cmd.ExecuteScalar()!;
        }
    }

    /// <summary>Deletes outbox rows sent before <paramref name="before"/>; the data they carried stays in its own tables.</summary>
    public int PruneSent(DateTimeOffset before)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "DELETE FROM outbox WHERE sent_unix_ms IS NOT NULL AND sent_unix_ms < $before";
            cmd.Parameters.AddWithValue("$before", before.ToUnixTimeMilliseconds());
            return cmd.ExecuteNonQuery();
        }
    }

    /// <summary>Folds the WAL into the main file and returns free pages to the file system (maintenance, benchmarks).</summary>
    public void Compact()
    {
        lock (_lock)
        {
            Execute("PRAGMA wal_checkpoint(TRUNCATE);");
            Execute("VACUUM;");
            Execute("PRAGMA wal_checkpoint(TRUNCATE);");
        }
    }

    /// <summary>Bytes the store takes on disk now (database file plus its WAL).</summary>
    public long SizeOnDisk() =>
        new FileInfo(Path).Length + (File.Exists(Path + "-wal") ? new FileInfo(Path + "-wal").Length : 0);

    /// <summary>Runs <paramref name="write"/> in one transaction, then wakes the publisher if it queued anything.</summary>
    private T Write<T>(Func<SqliteTransaction, T> write)
    {
        var before = _outboxAppends;
        T result;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var tx = _db.BeginTransaction();
            try
            {
                result = write(tx);
                tx.Commit();
            }
            catch
            {
                try
                {
                    tx.Rollback();
                }
                catch (SqliteException)
                {
                    // A failed COMMIT may already have rolled back; the counters are reread either way.
                }
                ReloadSequences(null);
                throw;
            }
        }
        if (_outboxAppends != before)
        {
            OutboxAppended?.Invoke();
        }
        return result;
    }

    private long _outboxAppends;
    private PreparedSql? _enqueue;
    private PreparedSql? _savepoint;
    private PreparedSql? _release;

    /// <summary>
    /// The store writer's group commit: every write in one transaction (one fsync). A write that fails on its own
    /// (a bug, a constraint) is rolled back alone and reported to <paramref name="recordFailed"/>, the rest commit; a
    /// failure of the storage itself (full, I/O, read-only, locked) rolls the whole group back and throws.
    /// <para>
    /// A savepoint around every record costs two statements and a statement journal of each page it touches (at 64
    /// channels a fifth of the writer's SQLite time), for a failure that almost never happens. So the group runs once
    /// without savepoints; only if a record fails is the whole transaction rolled back and the group run again, this
    /// time with a savepoint per record, so exactly the failing records are skipped as before. The writes must be
    /// repeatable (they only write through <paramref name="writes"/>' transaction and overwrite what they captured).
    /// </para>
    /// </summary>
    internal void WriteGroup(IReadOnlyList<Action<SqliteTransaction>> writes, Action<Exception> recordFailed)
    {
        ArgumentNullException.ThrowIfNull(writes);
        ArgumentNullException.ThrowIfNull(recordFailed);
        if (writes.Count > 1 && TryWriteGroupWhole(writes))
        {
            return;
        }
        Write(tx =>
        {
            foreach (var write in writes)
            {
                // SqliteTransaction.Save and Release compile their statement again each time: the same SQL, compiled once.
                RunPrepared(tx, ref _savepoint, "SAVEPOINT record;");
                try
                {
                    write(tx);
                    RunPrepared(tx, ref _release, "RELEASE record;");
                }
                catch (Exception ex) when (!IsStorageFailure(ex))
                {
                    tx.Rollback("record");
                    ReloadSequences(tx);
                    recordFailed(ex);
                }
            }
            return 0;
        });
    }

    /// <summary>
    /// The group as one transaction without savepoints. False (nothing written, the counters reread) if a record failed
    /// on its own; a storage failure throws as from <see cref="Write{T}"/>.
    /// </summary>
    private bool TryWriteGroupWhole(IReadOnlyList<Action<SqliteTransaction>> writes)
    {
        try
        {
            Write(tx =>
            {
                foreach (var write in writes)
                {
                    try
                    {
                        write(tx);
                    }
                    catch (Exception ex) when (!IsStorageFailure(ex))
                    {
                        throw new RecordFailed(ex);
                    }
                }
                return 0;
            });
            return true;
        }
        catch (RecordFailed)
        {
            // Write rolled the transaction back and reread the counters. A failing commit is not caught here: it throws
            // to the writer, which retries the group, as before.
            return false;
        }
    }

    /// <summary>A record of a group failed on its own (not the storage): the group is to be run again record by record.</summary>
    private sealed class RecordFailed(Exception inner) : Exception("A record of the group failed", inner);

    /// <summary>SQLite result codes that say the file cannot take writes now, not that one record was wrong.</summary>
    internal static bool IsStorageFailure(Exception ex) => ex is SqliteException { SqliteErrorCode: 5 or 6 or 7 or 8 or 10 or 11 or 13 or 14 or 15 or 26 }
        or IOException or UnauthorizedAccessException;

    /// <summary>Adds a message to the outbox with the next sequence number of its stream; the payload is built knowing it.</summary>
    private long Enqueue(SqliteTransaction tx, string stream, string topic, Func<long, byte[]> payload, bool retain, DateTimeOffset createdAt)
    {
        var seq = (_lastSeq.TryGetValue(stream, out var last) ? last : 0) + 1;
        RunPrepared(tx, ref _enqueue, """
            INSERT INTO streams(stream, last_seq) VALUES($stream, $seq) ON CONFLICT(stream) DO UPDATE SET last_seq = $seq;
            INSERT INTO outbox(stream, seq, topic, payload, retain, created_unix_ms) VALUES($stream, $seq, $topic, $payload, $retain, $created);
            """,
            stream, seq, topic, payload(seq), retain ? 1 : 0, createdAt.ToUnixTimeMilliseconds());
        _lastSeq[stream] = seq;
        _outboxAppends++;
        return seq;
    }

    /// <summary>After a rolled-back transaction the in-memory counters may be ahead of the file: reread them.</summary>
    private void ReloadSequences(SqliteTransaction? tx)
    {
        _lastSeq.Clear();
        _lastRecordIndex.Clear();
        _testKeys.Clear();
        _tailCount.Clear();
        _tailRows.Clear();
        using var cmd = _db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT stream, last_seq FROM streams";
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            _lastSeq[reader.GetString(0)] = reader.GetInt64(1);
        }
    }

    private void Execute(string sql)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            lock (_readLock)
            {
                _reads.Dispose();
            }
            foreach (var prepared in _prepared)
            {
                prepared.Dispose();
            }
            _db.Dispose();
        }
    }
}
