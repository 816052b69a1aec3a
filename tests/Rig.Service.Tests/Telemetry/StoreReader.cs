using Microsoft.Data.Sqlite;
using Rig.Service.Store.Chunks;

namespace Rig.Service.Tests.Telemetry;

/// <summary>
/// Reads a service's SQLite store from outside the service (the test process), as a dashboard or an auditor
/// would: one short-lived connection per read, no pooling, so no handle is kept across a service restart.
/// </summary>
public sealed class StoreReader(string path)
{
    /// <summary>A test's stored samples and its channel's telemetry stream ("&lt;channel&gt;/telemetry") in the outbox.</summary>
    public StoreContent Read(string testId)
    {
        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        db.Open();
        // One snapshot for both reads: the service may fold tail rows into a chunk between two statements.
        using var snapshot = db.BeginTransaction(deferred: true);
        var samples = new List<StoredSample>();
        string? channel = null;
        // Closed chunks first (decoded as the service does), then the open tail of one row per sample.
        using (var cmd = db.CreateCommand())
        {
            cmd.Transaction = snapshot;
            cmd.CommandText = "SELECT t.channel_id, c.data FROM sample_chunks c JOIN tests t ON t.test_key = c.test_key WHERE t.test_id = $id ORDER BY c.first_index";
            cmd.Parameters.AddWithValue("$id", testId);
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                channel = reader.GetString(0);
                samples.AddRange(SampleChunk.Decode((byte[])reader.GetValue(1), testId, channel)
                    .Select(r => new StoredSample(r.RecordIndex, r.Sample.Timestamp.ToUnixTimeMilliseconds(), r.Sample.StepIndex, r.Sample.VoltageVolts, r.Sample.CurrentAmperes)));
            }
        }
        using (var cmd = db.CreateCommand())
        {
            cmd.Transaction = snapshot;
            cmd.CommandText = """
                SELECT t.channel_id, s.record_index, s.unix_ms, s.step_index, s.voltage_V, s.current_A
                FROM samples s JOIN tests t ON t.test_key = s.test_key WHERE t.test_id = $id ORDER BY s.record_index
                """;
            cmd.Parameters.AddWithValue("$id", testId);
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                channel = reader.GetString(0);
                samples.Add(new StoredSample(reader.GetInt64(1), reader.GetInt64(2), reader.GetInt32(3), reader.GetDouble(4), reader.GetDouble(5)));
            }
        }
        var telemetry = new List<OutboxRow>();
        using (var cmd = db.CreateCommand())
        {
            cmd.Transaction = snapshot;
            cmd.CommandText = "SELECT seq, sent_unix_ms IS NOT NULL FROM outbox WHERE stream = $stream ORDER BY id";
            cmd.Parameters.AddWithValue("$stream", $"{channel}/telemetry");
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                telemetry.Add(new OutboxRow(reader.GetInt64(0), reader.GetInt64(1) != 0));
            }
        }
        return new StoreContent(samples, telemetry);
    }
}

public sealed record StoreContent(IReadOnlyList<StoredSample> Samples, IReadOnlyList<OutboxRow> Telemetry);

public readonly record struct StoredSample(long RecordIndex, long UnixMs, int StepIndex, double VoltageVolts, double CurrentAmperes);

public readonly record struct OutboxRow(long Seq, bool Sent);
