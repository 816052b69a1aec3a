using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Rig.Service.Store;

/// <summary>
/// One or more SQL statements compiled once and run many times straight through SQLite's C API: the write path's
/// per-record statements (sample row, outbox row, savepoints, sent marks). Microsoft.Data.Sqlite keeps a command's
/// compiled statements too, but every execution still opens a data reader, walks the statements through an
/// enumerator and binds each parameter by name (a UTF-8 conversion and a lookup per parameter per row): at 64
/// channels that was a third of the store writer's CPU per sample. Here the parameter positions are looked up once.
/// Values bind in order of first appearance of their names in <c>sql</c> (as SQLite numbers them); null binds NULL.
/// Errors throw the <see cref="SqliteException"/> Microsoft.Data.Sqlite would (same result codes), so callers
/// tell a storage failure from a bad record the same way. Not thread-safe: used under the store's write lock.
/// </summary>
internal sealed partial class PreparedSql : IDisposable
{
    private readonly sqlite3 _db;
    private readonly List<(sqlite3_stmt Statement, int[] Slots)> _statements = [];

    public PreparedSql(SqliteConnection connection, string sql)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        var names = ParameterNames(sql);
        var rest = sql;
        while (!string.IsNullOrWhiteSpace(rest))
        {
            var rc = raw.sqlite3_prepare_v2(_db, rest, out var statement, out var tail);
            SqliteException.ThrowExceptionForRC(rc, _db);
            if (statement is null || statement.IsInvalid)
            {
                // Only white space or a comment was left.
                break;
            }
            // Slots[i]: the position of the i-th name in this statement (0: the statement does not use it).
            var slots = names.Select(name => raw.sqlite3_bind_parameter_index(statement, name)).ToArray();
            _statements.Add((statement, slots));
            rest = tail;
        }
        ParameterCount = names.Count;
    }

    /// <summary>How many distinct parameter names the SQL has (the values <see cref="Run"/> expects).</summary>
    public int ParameterCount { get; }

    /// <summary>Binds <paramref name="values"/>, runs every statement to its end and returns the rows the last one changed.</summary>
    public int Run(params ReadOnlySpan<object?> values)
    {
        if (values.Length != ParameterCount)
        {
            throw new ArgumentException($"{ParameterCount} values expected, {values.Length} given.", nameof(values));
        }
        var changes = 0;
        foreach (var (statement, slots) in _statements)
        {
            for (var i = 0; i < slots.Length; i++)
            {
                if (slots[i] > 0)
                {
                    Check(Bind(statement, slots[i], values[i]));
                }
            }
            var rc = raw.sqlite3_step(statement);
            while (rc == raw.SQLITE_ROW)
            {
                rc = raw.sqlite3_step(statement);
            }
            // After a failed step, reset returns the error too; the statement is ready for the next run either way.
            raw.sqlite3_reset(statement);
            if (rc != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(rc, _db);
            }
            changes = raw.sqlite3_changes(_db);
        }
        return changes;
    }

    private static int Bind(sqlite3_stmt statement, int slot, object? value) => value switch
    {
        null or DBNull => raw.sqlite3_bind_null(statement, slot),
        long l => raw.sqlite3_bind_int64(statement, slot, l),
        int i => raw.sqlite3_bind_int64(statement, slot, i),
        bool b => raw.sqlite3_bind_int64(statement, slot, b ? 1 : 0),
        double d => raw.sqlite3_bind_double(statement, slot, d),
        string s => raw.sqlite3_bind_text(statement, slot, s),
        byte[] bytes => raw.sqlite3_bind_blob(statement, slot, bytes),
        _ => throw new ArgumentException($"Cannot bind a {value.GetType().Name}.", nameof(value)),
    };

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }

    /// <summary>The distinct "$name" parameters of <paramref name="sql"/>, in order of first appearance.</summary>
    internal static List<string> ParameterNames(string sql)
    {
        var names = new List<string>();
        foreach (System.Text.RegularExpressions.Match match in ParameterName().Matches(sql))
        {
            if (!names.Contains(match.Value, StringComparer.Ordinal))
            {
                names.Add(match.Value);
            }
        }
        return names;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\$[A-Za-z_][A-Za-z0-9_]*")]
    private static partial System.Text.RegularExpressions.Regex ParameterName();

    public void Dispose()
    {
        foreach (var (statement, _) in _statements)
        {
            statement.Dispose();
        }
        _statements.Clear();
    }
}
