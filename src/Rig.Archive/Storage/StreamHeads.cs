using Npgsql;

namespace Rig.Archive.Storage;

/// <summary>
/// stream_heads.high_seq, the highest seq archived per gap-free stream, read from the archive tables' own keys when the
/// gap monitor scans, not written by every batch. At 1 Hz per channel every batch moved nearly every stream's head:
/// an upsert of one row per sample (a quarter of PostgreSQL's time on the ingest path, measured). The primary keys
/// (rig, channel, seq, …) answer "the highest seq above the known head" with one index probe per stream and partition.
/// </summary>
public static class StreamHeads
{
    /// <summary>Per kind of gap-free stream: the stream name's suffix, its table, and how a row of it matches a head h.</summary>
    public static readonly (string Suffix, string Table, string ChannelMatch)[] Kinds =
    [
        ("/telemetry", "samples", "x.channel = split_part(h.stream, '/', 1)"),
        ("/cycles", "cycles", "x.channel = split_part(h.stream, '/', 1)"),
        ("/spectrum", "spectra", "x.channel = split_part(h.stream, '/', 1)"),
        ("events", "events", "TRUE"),
    ];

    /// <summary>Moves every head to the highest seq committed in its table (never down); returns the heads moved.</summary>
    public static async Task<int> RefreshAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var moved = 0;
        foreach (var (suffix, table, channelMatch) in Kinds)
        {
            // MATERIALIZED: the probe runs once per stream (inlined, the planner ran it twice, in the join filter and the SET).
            await using var refresh = new NpgsqlCommand($"""
                WITH n AS MATERIALIZED (
                    SELECT h.rig, h.stream, (SELECT max(x.seq) FROM {table} x WHERE x.rig = h.rig AND {channelMatch} AND x.seq > h.high_seq) AS high
                    FROM stream_heads h WHERE h.stream LIKE '%{suffix}')
                UPDATE stream_heads t SET high_seq = n.high, updated_at = now()
                FROM n WHERE t.rig = n.rig AND t.stream = n.stream AND n.high > t.high_seq
                """, connection);
            moved += await refresh.ExecuteNonQueryAsync(cancellationToken);
        }
        return moved;
    }
}
