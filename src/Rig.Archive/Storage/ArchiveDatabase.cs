using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Rig.Archive.Storage;

/// <summary>
/// The PostgreSQL side: one pooled data source, the migrations, and the monthly sample partitions (created before
/// the first sample of a month is written; dropped when older than Archive:SampleRetention).
/// </summary>
public sealed partial class ArchiveDatabase : IAsyncDisposable
{
    private readonly HashSet<DateOnly> _months = [];
    private readonly Lock _monthsLock = new();
    private readonly ILogger<ArchiveDatabase> _logger;

    public ArchiveDatabase(string connectionString, ILogger<ArchiveDatabase> logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        DataSource = NpgsqlDataSource.Create(connectionString);
        _logger = logger;
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>
    /// Applies every migration not yet recorded (up to <paramref name="upTo"/>, for a test of the upgrade from an older
    /// version); returns the schema version now in force.
    /// </summary>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken, int upTo = int.MaxValue)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        await using (var create = new NpgsqlCommand(
            "CREATE TABLE IF NOT EXISTS schema_migrations(version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
            connection))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        var version = 0;
        foreach (var (number, description, sql) in ArchiveSchema.Migrations.Where(m => m.Version <= upTo))
        {
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({ArchiveSchema.MigrationLock})", connection, tx))
            {
                await lockCommand.ExecuteNonQueryAsync(cancellationToken);
            }
            await using (var check = new NpgsqlCommand("SELECT 1 FROM schema_migrations WHERE version = $1", connection, tx))
            {
                check.Parameters.AddWithValue(number);
                if (await check.ExecuteScalarAsync(cancellationToken) is not null)
                {
                    version = number;
                    await tx.CommitAsync(cancellationToken);
                    continue;
                }
            }
            await using (var apply = new NpgsqlCommand(sql, connection, tx))
            {
                await apply.ExecuteNonQueryAsync(cancellationToken);
            }
            await using (var record = new NpgsqlCommand("INSERT INTO schema_migrations(version, description) VALUES($1, $2)", connection, tx))
            {
                record.Parameters.AddWithValue(number);
                record.Parameters.AddWithValue(description);
                await record.ExecuteNonQueryAsync(cancellationToken);
            }
            await tx.CommitAsync(cancellationToken);
            LogMigrated(number, description);
            version = number;
        }
        return version;
    }

    /// <summary>Makes sure a partition exists for every month of <paramref name="times"/>.</summary>
    public async Task EnsurePartitionsAsync(IEnumerable<DateTime> times, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(times);
        List<DateOnly> missing;
        lock (_monthsLock)
        {
            missing = times.Select(t => new DateOnly(t.Year, t.Month, 1)).Distinct().Where(m => !_months.Contains(m)).ToList();
        }
        if (missing.Count == 0)
        {
            return;
        }
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        foreach (var month in missing)
        {
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            // Two archive instances may meet the same new month: the lock makes IF NOT EXISTS race-free.
            await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({ArchiveSchema.MigrationLock})", connection, tx))
            {
                await lockCommand.ExecuteNonQueryAsync(cancellationToken);
            }
            await using (var create = new NpgsqlCommand(
                $"CREATE TABLE IF NOT EXISTS {PartitionName(month)} PARTITION OF samples FOR VALUES FROM ('{Day(month)}') TO ('{Day(month.AddMonths(1))}')",
                connection, tx))
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
            await tx.CommitAsync(cancellationToken);
            lock (_monthsLock)
            {
                _months.Add(month);
            }
        }
    }

    /// <summary>Drops the sample partitions whose whole month ended before <paramref name="before"/>; returns their names.</summary>
    public async Task<IReadOnlyList<string>> DropPartitionsBeforeAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        var names = new List<string>();
        await using (var list = new NpgsqlCommand(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'samples'",
            connection))
        await using (var reader = await list.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                names.Add(reader.GetString(0));
            }
        }
        var dropped = new List<string>();
        foreach (var name in names)
        {
            if (ParsePartition(name) is { } month && month.AddMonths(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) <= before.UtcDateTime)
            {
                await using var drop = new NpgsqlCommand($"DROP TABLE {name}", connection);
                await drop.ExecuteNonQueryAsync(cancellationToken);
                lock (_monthsLock)
                {
                    _months.Remove(month);
                }
                dropped.Add(name);
            }
        }
        return dropped;
    }

    public static string PartitionName(DateOnly month) => $"samples_{month.Year:D4}_{month.Month:D2}";

    private static DateOnly? ParsePartition(string name) =>
        name.Length == "samples_yyyy_mm".Length && name.StartsWith("samples_", StringComparison.Ordinal)
        && DateOnly.TryParseExact(name["samples_".Length..], "yyyy_MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month)
            ? month : null;

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    [LoggerMessage(Level = LogLevel.Information, Message = "Archive schema migrated to version {Version}: {Description}")]
    private partial void LogMigrated(int version, string description);
}
