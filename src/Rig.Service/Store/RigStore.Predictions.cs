using Microsoft.Data.Sqlite;

namespace Rig.Service.Store;

/// <summary>
/// Dry-run predictions beside the results they predicted (table predictions): a channel's latest waits unbound until
/// a test with its protocol starts on the channel, then it is that test's, keyed by test id, until the test ends and
/// the actual figures are written beside it. On disk before each call returns, so a restart mid-test loses nothing.
/// </summary>
public sealed partial class RigStore
{
    /// <summary>The channel's latest completed dry run, replacing the one that waited (a prediction already taken by a test stays).</summary>
    public void SavePrediction(PredictionRecord prediction)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        Write(tx =>
        {
            Run(tx, "DELETE FROM predictions WHERE channel_id = $c AND test_id IS NULL", ("$c", prediction.ChannelId));
            Run(tx, """
                INSERT INTO predictions(channel_id, test_id, predicted_unix_ms, protocol_name, duration_predicted_s, cycles_predicted,
                    cycles_to_80_predicted, last_capacity_predicted_mAh_cm2, prediction_json)
                VALUES ($c, NULL, $u, $p, $d, $n, $n80, $q, $j)
                """,
                ("$c", prediction.ChannelId), ("$u", prediction.PredictedAt.ToUnixTimeMilliseconds()), ("$p", prediction.ProtocolName),
                ("$d", prediction.DurationSeconds), ("$n", prediction.Cycles), ("$n80", prediction.CyclesTo80Percent),
                ("$q", prediction.LastDischargeArealCapacity), ("$j", prediction.PredictionJson));
            return 0;
        });
    }

    /// <summary>
    /// Gives the channel's waiting prediction to <paramref name="testId"/> when it was made for the same protocol, at or
    /// before <paramref name="startedAt"/>; true when the test has a prediction afterwards (now or already).
    /// </summary>
    public bool BindPrediction(string channelId, string testId, string protocolName, DateTimeOffset startedAt) =>
        Write(tx =>
        {
            using var existing = _db.CreateCommand();
            existing.Transaction = tx;
            existing.CommandText = "SELECT count(*) FROM predictions WHERE test_id = $t";
            existing.Parameters.AddWithValue("$t", testId);
            if ((long)existing.ExecuteScalar()! > 0)
            {
                return true;
            }
            return Run(tx, """
                UPDATE predictions SET test_id = $t
                WHERE channel_id = $c AND test_id IS NULL AND protocol_name = $p AND predicted_unix_ms <= $u
                """,
                ("$t", testId), ("$c", channelId), ("$p", protocolName), ("$u", startedAt.ToUnixTimeMilliseconds())) > 0;
        });

    /// <summary>Writes what the test did beside what was predicted for it; false when it had no prediction.</summary>
    public bool SavePredictionActual(string testId, PredictionActual actual)
    {
        ArgumentNullException.ThrowIfNull(actual);
        return Write(tx => Run(tx, """
            UPDATE predictions SET compared_unix_ms = $u, duration_actual_s = $d, cycles_actual = $n, cycles_to_80_actual = $n80,
                last_capacity_actual_mAh_cm2 = $q
            WHERE test_id = $t
            """,
            ("$t", testId), ("$u", actual.ComparedAt.ToUnixTimeMilliseconds()), ("$d", actual.DurationSeconds), ("$n", actual.Cycles),
            ("$n80", actual.CyclesTo80Percent), ("$q", actual.LastDischargeArealCapacity)) > 0);
    }

    /// <summary>The prediction a test took, with its actual figures once it ended; null when it had none.</summary>
    public PredictionRecord? FindPrediction(string testId) =>
        Query($"SELECT {PredictionColumns} FROM predictions WHERE test_id = $t", ReadPrediction, ("$t", testId)).FirstOrDefault();

    /// <summary>The channel's prediction waiting for a test; null when there is none.</summary>
    public PredictionRecord? WaitingPrediction(string channelId) =>
        Query($"SELECT {PredictionColumns} FROM predictions WHERE channel_id = $c AND test_id IS NULL", ReadPrediction, ("$c", channelId)).FirstOrDefault();

    private const string PredictionColumns = """
        channel_id, test_id, predicted_unix_ms, protocol_name, duration_predicted_s, cycles_predicted, cycles_to_80_predicted,
        last_capacity_predicted_mAh_cm2, prediction_json, compared_unix_ms, duration_actual_s, cycles_actual, cycles_to_80_actual,
        last_capacity_actual_mAh_cm2
        """;

    private static PredictionRecord ReadPrediction(SqliteDataReader r) => new(
        r.GetString(0),
        r.IsDBNull(1) ? null : r.GetString(1),
        DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)),
        r.GetString(3),
        r.GetDouble(4),
        r.GetInt32(5),
        r.IsDBNull(6) ? null : r.GetInt32(6),
        r.IsDBNull(7) ? null : r.GetDouble(7),
        r.GetString(8))
    {
        Actual = r.IsDBNull(9) ? null : new PredictionActual(
            DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(9)),
            r.GetDouble(10),
            r.GetInt32(11),
            r.IsDBNull(12) ? null : r.GetInt32(12),
            r.IsDBNull(13) ? null : r.GetDouble(13)),
    };
}

/// <summary>
/// One dry-run prediction as stored: the figures compared with the test (duration in s, cycles, cycles to 80 %, the
/// last cycle's discharge capacity in mAh/cm²) and the whole prediction as its JSON document.
/// </summary>
public sealed record PredictionRecord(
    string ChannelId,
    string? TestId,
    DateTimeOffset PredictedAt,
    string ProtocolName,
    double DurationSeconds,
    int Cycles,
    int? CyclesTo80Percent,
    double? LastDischargeArealCapacity,
    string PredictionJson)
{
    /// <summary>What the test did, once it ended.</summary>
    public PredictionActual? Actual { get; init; }
}

/// <summary>What a test did, in the units of its <see cref="PredictionRecord"/>.</summary>
public sealed record PredictionActual(DateTimeOffset ComparedAt, double DurationSeconds, int Cycles, int? CyclesTo80Percent, double? LastDischargeArealCapacity);
