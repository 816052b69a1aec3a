using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Rig.Archive.Ingest;
using Rig.Archive.Storage;

namespace Rig.Archive.Gaps;

/// <summary>
/// Finds holes in every gap-free stream (telemetry, cycles, spectra, events of every rig) and asks the rig to send them
/// again. Each stream's contiguous_seq is the seq up to which nothing is missing; a scan reads only the seqs above
/// it, so its cost follows the ingest rate, not the archive's size. A hole is a row in table gaps from the scan that
/// first saw it; once older than Archive:GapGrace the archive publishes "&lt;prefix&gt;/&lt;rig&gt;/cmd/replay" with the
/// range, again every Archive:ReplayRetry, and gives up (logged, left in gaps) after Archive:MaxReplayRequests.
/// A gap closes when its rows arrive. With several archive instances one scans at a time (advisory lock).
/// </summary>
public sealed partial class GapMonitor : BackgroundService
{
    private const long ScanLock = 0x47_41_50_53; // "GAPS"
    private const int ScanLimit = 500_000;
    private readonly ArchiveDatabase _database;
    private readonly LabSubscription _subscription;
    private readonly ArchiveOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<GapMonitor> _logger;

    public GapMonitor(ArchiveDatabase database, LabSubscription subscription, IOptions<ArchiveOptions> options, TimeProvider time,
        ILogger<GapMonitor> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _database = database;
        _subscription = subscription;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.GapScanPeriod, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await ScanAsync(stoppingToken);
                }
                catch (NpgsqlException ex)
                {
                    LogScanFailed(ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// One pass: every stream's head moved to the highest seq archived (StreamHeads), then every stream with unchecked
    /// seqs, each in its own short transaction, then the replay requests that are due.
    /// </summary>
    public async Task ScanAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var requests = new List<(string Rig, string Stream, SeqRange Range)>();
        await using (var connection = await _database.DataSource.OpenConnectionAsync(cancellationToken))
        {
            await using (var lockCommand = new NpgsqlCommand($"SELECT pg_try_advisory_lock({ScanLock})", connection))
            {
                if (await lockCommand.ExecuteScalarAsync(cancellationToken) is not true)
                {
                    return;
                }
            }
            try
            {
                await StreamHeads.RefreshAsync(connection, cancellationToken);
                await AdvanceCompleteStreamsAsync(connection, cancellationToken);
                var streams = new List<(string Rig, string Stream, long Contiguous)>();
                await using (var list = new NpgsqlCommand(
                    "SELECT rig, stream, contiguous_seq FROM stream_heads WHERE high_seq > contiguous_seq ORDER BY rig, stream", connection))
                await using (var reader = await list.ExecuteReaderAsync(cancellationToken))
                {
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        streams.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
                    }
                }
                foreach (var (rig, stream, contiguous) in streams)
                {
                    await using var streamTx = await connection.BeginTransactionAsync(cancellationToken);
                    await ScanStreamAsync(connection, streamTx, rig, stream, contiguous, now, cancellationToken);
                    await streamTx.CommitAsync(cancellationToken);
                }
                await using var tx = await connection.BeginTransactionAsync(cancellationToken);
                await using (var due = new NpgsqlCommand("""
                    SELECT rig, stream, from_seq, to_seq, replay_requests FROM gaps
                    WHERE closed_at IS NULL AND given_up_at IS NULL AND detected_at <= $1 AND (last_request_at IS NULL OR last_request_at <= $2)
                    """, connection, tx))
                {
                    due.Parameters.AddWithValue(now - _options.GapGrace);
                    due.Parameters.AddWithValue(now - _options.ReplayRetry);
                    var giveUp = new List<(string, string, SeqRange)>();
                    await using (var reader = await due.ExecuteReaderAsync(cancellationToken))
                    {
                        while (await reader.ReadAsync(cancellationToken))
                        {
                            var gap = (reader.GetString(0), reader.GetString(1), new SeqRange(reader.GetInt64(2), reader.GetInt64(3)));
                            (reader.GetInt32(4) >= _options.MaxReplayRequests ? giveUp : requests).Add(gap);
                        }
                    }
                    foreach (var (rig, stream, range) in giveUp)
                    {
                        await Execute(connection, tx, "UPDATE gaps SET given_up_at = $5 WHERE rig = $1 AND stream = $2 AND from_seq = $3 AND to_seq = $4",
                            cancellationToken, rig, stream, range.From, range.To, now);
                        LogGaveUp(rig, stream, range.From, range.To, _options.MaxReplayRequests);
                    }
                }
                foreach (var (rig, stream, range) in requests)
                {
                    await Execute(connection, tx, """
                        UPDATE gaps SET replay_requests = replay_requests + 1, last_request_at = $5
                        WHERE rig = $1 AND stream = $2 AND from_seq = $3 AND to_seq = $4
                        """, cancellationToken, rig, stream, range.From, range.To, now);
                }
                await tx.CommitAsync(cancellationToken);
            }
            finally
            {
                await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({ScanLock})", connection);
                await unlock.ExecuteNonQueryAsync(CancellationToken.None);
            }
        }
        foreach (var (rig, stream, range) in requests)
        {
            var payload = new ReplayRequest(stream, range.From, range.To).ToUtf8Json();
            var sent = await _subscription.PublishAsync($"{_options.TopicPrefix}/{rig}/cmd/replay", payload, cancellationToken);
            LogReplayRequested(rig, stream, range.From, range.To, sent);
        }
    }

    /// <summary>
    /// The common case in one statement per kind of stream: every stream whose seqs above contiguous_seq are all there
    /// (as many distinct seqs up to high_seq as the range holds) and that has no open gap moves contiguous_seq to
    /// high_seq. Only streams with a hole are then scanned one by one: a lab of 500 rigs x 8 channels no longer costs
    /// thousands of queries per scan. Rows locked elsewhere are skipped (SKIP LOCKED) and the rest locked in key order.
    /// </summary>
    private static async Task AdvanceCompleteStreamsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        foreach (var (suffix, table, channelMatch) in StreamHeads.Kinds)
        {
            await using var advance = new NpgsqlCommand($"""
                WITH complete AS (
                    SELECT h.rig, h.stream, h.high_seq FROM stream_heads h
                    WHERE h.stream LIKE '%{suffix}' AND h.high_seq > h.contiguous_seq
                      AND NOT EXISTS (SELECT 1 FROM gaps g WHERE g.rig = h.rig AND g.stream = h.stream AND g.closed_at IS NULL)
                      AND (SELECT count(DISTINCT x.seq) FROM {table} x
                           WHERE x.rig = h.rig AND {channelMatch} AND x.seq > h.contiguous_seq AND x.seq <= h.high_seq) = h.high_seq - h.contiguous_seq
                    ORDER BY h.rig, h.stream
                    FOR UPDATE OF h SKIP LOCKED)
                UPDATE stream_heads h SET contiguous_seq = c.high_seq
                FROM complete c WHERE h.rig = c.rig AND h.stream = c.stream AND h.contiguous_seq < c.high_seq
                """, connection);
            await advance.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private async Task ScanStreamAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string rig, string stream, long contiguous,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (table, channel) = StreamTable(stream);
        if (table is null)
        {
            return;
        }
        var present = new List<long>();
        await using (var select = new NpgsqlCommand(
            $"SELECT DISTINCT seq FROM {table} WHERE rig = $1 {(channel is null ? "" : "AND channel = $4")} AND seq > $2 ORDER BY seq LIMIT $3",
            connection, tx))
        {
            select.Parameters.AddWithValue(rig);
            select.Parameters.AddWithValue(contiguous);
            select.Parameters.AddWithValue(ScanLimit);
            if (channel is not null)
            {
                select.Parameters.AddWithValue(channel);
            }
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                present.Add(reader.GetInt64(0));
            }
        }
        if (present.Count == 0)
        {
            return;
        }
        var missing = SequenceGaps.Missing(contiguous, present);
        var open = new List<(SeqRange Range, bool GivenUp)>();
        await using (var known = new NpgsqlCommand(
            "SELECT from_seq, to_seq, given_up_at IS NOT NULL FROM gaps WHERE rig = $1 AND stream = $2 AND closed_at IS NULL", connection, tx))
        {
            known.Parameters.AddWithValue(rig);
            known.Parameters.AddWithValue(stream);
            await using var reader = await known.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                open.Add((new SeqRange(reader.GetInt64(0), reader.GetInt64(1)), reader.GetBoolean(2)));
            }
        }
        foreach (var (range, _) in open.Where(o => !missing.Contains(o.Range) && o.Range.From > contiguous))
        {
            await Execute(connection, tx, "UPDATE gaps SET closed_at = $5 WHERE rig = $1 AND stream = $2 AND from_seq = $3 AND to_seq = $4",
                cancellationToken, rig, stream, range.From, range.To, now);
            LogGapClosed(rig, stream, range.From, range.To);
        }
        foreach (var range in missing.Where(m => !open.Any(o => o.Range == m)))
        {
            await Execute(connection, tx, "INSERT INTO gaps(rig, stream, from_seq, to_seq, detected_at) VALUES($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                cancellationToken, rig, stream, range.From, range.To, now);
            LogGapFound(rig, stream, range.From, range.To);
        }
        // Nothing below the first hole still worth waiting for is missing: later scans start there.
        var givenUp = open.Where(o => o.GivenUp).Select(o => o.Range).ToHashSet();
        var firstWaiting = missing.Where(m => !givenUp.Contains(m)).Select(m => m.From).DefaultIfEmpty(present[^1] + 1).Min();
        await Execute(connection, tx, "UPDATE stream_heads SET contiguous_seq = GREATEST(contiguous_seq, $3) WHERE rig = $1 AND stream = $2",
            cancellationToken, rig, stream, firstWaiting - 1);
    }

    /// <summary>The table (and channel) holding a stream's rows; null table for streams the archive does not gap-check.</summary>
    private static (string? Table, string? Channel) StreamTable(string stream)
    {
        if (stream == "events")
        {
            return ("events", null);
        }
        var slash = stream.IndexOf('/', StringComparison.Ordinal);
        return slash <= 0 ? (null, null) : stream[(slash + 1)..] switch
        {
            "telemetry" => ("samples", stream[..slash]),
            "cycles" => ("cycles", stream[..slash]),
            "spectrum" => ("spectra", stream[..slash]),
            _ => (null, null),
        };
    }

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct, params object[] values)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, tx);
        foreach (var value in values)
        {
            cmd.Parameters.AddWithValue(value);
        }
        await cmd.ExecuteNonQueryAsync(ct);
    }

    // Information: a hole is often only a batch still being written (Archive:Writers, a shared subscription's peer); it is
    // a gap worth a warning once it outlives GapGrace and a replay is asked for.
    [LoggerMessage(Level = LogLevel.Information, Message = "Hole in {Rig} {Stream}: seq {From}-{To} not archived yet")]
    private partial void LogGapFound(string rig, string stream, long from, long to);

    [LoggerMessage(Level = LogLevel.Information, Message = "Gap in {Rig} {Stream} seq {From}-{To} filled")]
    private partial void LogGapClosed(string rig, string stream, long from, long to);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gap in {Rig} {Stream}: seq {From}-{To} missing, asked the rig to replay it (published: {Sent})")]
    private partial void LogReplayRequested(string rig, string stream, long from, long to, bool sent);

    [LoggerMessage(Level = LogLevel.Error, Message = "Gap in {Rig} {Stream} seq {From}-{To} given up after {Requests} replay requests: the rig no longer has the rows (see table gaps)")]
    private partial void LogGaveUp(string rig, string stream, long from, long to, int requests);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gap scan failed, next period retries: {Reason}")]
    private partial void LogScanFailed(string reason);
}
