using Microsoft.Data.Sqlite;

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
        var samples = new List<StoredSample>();
        string? channel = null;
        using (var cmd = db.CreateCommand())
        {
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
