using Microsoft.Data.Sqlite;

namespace Rig.Service.Store;

/// <summary>
/// Checks an existing store file before the service opens it for writing: opened read-only, never modified,
/// <c>PRAGMA quick_check</c> (every page and index's structure, not the cross-checks of integrity_check; its time
/// grows with the file, docs/telemetry.md). A file that is not a database, or fails the check, is refused with
/// <see cref="StoreDamagedException"/> naming it and what to do. A missing or empty file is fine (a new store).
/// </summary>
public static class StoreIntegrity
{
    // SQLITE_CORRUPT and SQLITE_NOTADB: the only primary result codes that mean "the bytes are wrong".
    private const int Corrupt = 11;
    private const int NotADatabase = 26;

    /// <summary>
    /// The check stops after this long (sqlite3_interrupt) and the store is opened: quick_check reads every page,
    /// about 1.4 s per 100 MB warm on the CI VM, so a multi-GB store would otherwise hold the start past systemd's
    /// TimeoutStartSec=60. What was read by then was checked.
    /// </summary>
    public static readonly TimeSpan MaxCheckTime = TimeSpan.FromSeconds(20);

    private const int Interrupted = 9;

    public static void Check(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var info = new FileInfo(path);
        if (!info.Exists || info.Length == 0)
        {
            return;
        }
        string? verdict;
        try
        {
            var connection = new SqliteConnectionStringBuilder { DataSource = info.FullName, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
            using var db = new SqliteConnection(connection);
            db.Open();
            using var limit = new Timer(_ => SQLitePCL.raw.sqlite3_interrupt(db.Handle), null, MaxCheckTime, Timeout.InfiniteTimeSpan);
            using var cmd = db.CreateCommand();
            // One row "ok", or up to this many rows naming the damage.
            cmd.CommandText = "PRAGMA quick_check(5)";
            using var reader = cmd.ExecuteReader();
            var rows = new List<string>();
            while (reader.Read())
            {
                rows.Add(reader.GetString(0));
            }
            verdict = rows is ["ok"] ? null : string.Join("; ", rows);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode is Corrupt or NotADatabase)
        {
            verdict = ex.Message;
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == Interrupted)
        {
            // Not finished within MaxCheckTime: no damage found in what was read; the normal open goes on.
            return;
        }
        catch (SqliteException)
        {
            // Not about the bytes (locked, read-only directory for the WAL index...): the normal open reports it.
            return;
        }
        if (verdict is not null)
        {
            throw new StoreDamagedException(info.FullName, verdict);
        }
    }
}

/// <summary>The store file is damaged; it was not modified. The message names the file and what to do.</summary>
public sealed class StoreDamagedException : Exception
{
    public StoreDamagedException(string path, string detail)
        : base($"{path} is damaged ({detail}). It was not modified. Move it aside (keep it: sqlite3 '.recover' can save its data), "
               + "then start the service again to begin a new store; or restore it from a backup.")
    {
        FilePath = path;
    }

    public StoreDamagedException()
    {
        FilePath = "";
    }

    public StoreDamagedException(string message, Exception inner) : base(message, inner)
    {
        FilePath = "";
    }

    public string FilePath { get; }

    /// <summary>This exception anywhere in <paramref name="error"/>'s chain (DI wraps it), or null.</summary>
    public static StoreDamagedException? Find(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is StoreDamagedException damaged)
            {
                return damaged;
            }
            if (e is AggregateException aggregate)
            {
                return aggregate.InnerExceptions.Select(Find).FirstOrDefault(d => d is not null);
            }
        }
        return null;
    }
}
