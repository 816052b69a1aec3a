using Rig.Service.Tests.Support;
using Rig.Service.Tests.Telemetry;

namespace Rig.Service.Tests.Archive;

/// <summary>
/// The lab archive against real parts: a real PostgreSQL (initdb/pg_ctl in a scratch directory), a real mosquitto,
/// and the rig's own telemetry stack (store on a real SQLite file, outbox publisher, command processor).
/// </summary>
[Trait("Category", TestCategories.OutOfProcess)]
public sealed class ArchiveIngestTests : IClassFixture<PostgresFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly PostgresFixture _postgres;

    public ArchiveIngestTests(PostgresFixture postgres) => _postgres = postgres;

    /// <summary>With two writers batches commit out of order while their PUBACKs still go out in arrival order.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Every_sample_is_archived_exactly_once_across_an_archive_restart_and_a_rig_that_sends_a_range_again(int writers)
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var db = await _postgres.Server.CreateDatabaseAsync();
        var directory = Directory.CreateTempSubdirectory("rig-archive-").FullName;
        await using var rig = new TelemetryHarness(broker.Port, Path.Combine(directory, "rig.db"), syncEveryCommit: false);
        await rig.StartAsync();
        var settings = ArchiveHost.Settings(broker.Port, rig.Mqtt.TopicPrefix, db, "archive-1");
        settings["Archive:Writers"] = writers.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Archive:BatchSize"] = "100"; // several batches in flight at once
        var archive = await ArchiveHost.StartAsync(settings);
        var t0 = DateTimeOffset.Parse("2026-11-30T23:50:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var tests = new Dictionary<string, string> { ["ch1"] = await rig.StartTestAsync("ch1", t0), ["ch2"] = await rig.StartTestAsync("ch2", t0) };

        async Task Record(int from, int to)
        {
            for (var i = from; i <= to; i++)
            {
                foreach (var (channel, testId) in tests)
                {
                    // Crosses midnight into December: the samples land in two monthly partitions.
                    await rig.Recorder.SampleAsync(TelemetryHarness.Sample(testId, channel, t0.AddSeconds(i * 3), i * 3), CancellationToken.None);
                }
            }
        }

        await Record(1, 300);
        await ArchiveDb.WaitUntilAsync(async () => await ArchiveDb.ScalarAsync<long>(db, "SELECT count(*) FROM samples") == 600, Patience, "600 samples");
        await archive.DisposeAsync();

        // While the archive is away its persistent session queues on the broker.
        await Record(301, 500);
        // The rig sends seq 100-200 of ch1 again, as after a crash between PUBACK and marking, or a replay request.
        Assert.Equal(101, rig.Store.RequeueForReplay("ch1/telemetry", 100, 200).Requeued);

        await using var again = await ArchiveHost.StartAsync(settings);
        await ArchiveDb.WaitUntilAsync(async () => await ArchiveDb.ScalarAsync<long>(db, "SELECT count(*) FROM samples") == 1000, Patience, "1000 samples");
        await ArchiveDb.WaitUntilAsync(() => Task.FromResult(again.Ingestor.Duplicates >= 101 && rig.Store.CountUnsent() == 0), Patience, "the re-sent range");

        foreach (var channel in tests.Keys)
        {
            var seqs = await ArchiveDb.SeqsAsync(db, $"SELECT seq FROM samples WHERE channel = '{channel}' ORDER BY seq");
            Assert.Equal(Enumerable.Range(1, 500).Select(i => (long)i), seqs);
        }
        Assert.Equal(2, await ArchiveDb.ScalarAsync<long>(db, "SELECT count(*) FROM pg_inherits WHERE inhparent = 'samples'::regclass"));
        Assert.Equal(2, await ArchiveDb.ScalarAsync<long>(db, "SELECT count(*) FROM test_overview WHERE started_at IS NOT NULL AND last_sample_at > started_at"));
        if (writers == 1)
        {
            // One writer commits in arrival order: not even a passing hole.
            Assert.Equal(0, await ArchiveDb.ScalarAsync<long>(db, "SELECT count(*) FROM gaps"));
        }
        // Two may leave a hole for a moment (a later batch committed first); it closes once the earlier one is in.
        await ArchiveDb.WaitUntilAsync(async () => await ArchiveDb.ScalarAsync<long>(db, "SELECT count(*) FROM open_gaps") == 0
            && await ArchiveDb.ScalarAsync<long>(db, "SELECT min(contiguous_seq) FROM stream_heads WHERE stream LIKE '%/telemetry'") == 500,
            Patience, "every stream checked up to seq 500 with no open gap");
        Assert.Equal(500, await ArchiveDb.ScalarAsync<long>(db, "SELECT min(high_seq) FROM stream_heads WHERE stream LIKE '%/telemetry'"));
        Directory.Delete(directory, true);
    }

    [Fact]
    public async Task A_gap_is_detected_and_the_rig_replays_it_from_its_outbox_on_request()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var db = await _postgres.Server.CreateDatabaseAsync();
        var directory = Directory.CreateTempSubdirectory("rig-archive-").FullName;
        await using var rig = new TelemetryHarness(broker.Port, Path.Combine(directory, "rig.db"), syncEveryCommit: false);
        await rig.StartAsync();
        var t0 = DateTimeOffset.Parse("2026-12-01T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var testId = await rig.StartTestAsync("ch1", t0);
        // Published to a broker where nobody listens yet: seq 1-100 are gone from the broker, kept in the rig's outbox.
        for (var i = 1; i <= 100; i++)
        {
            await rig.Recorder.SampleAsync(TelemetryHarness.Sample(testId, "ch1", t0.AddSeconds(i), i), CancellationToken.None);
        }
        await ArchiveDb.WaitUntilAsync(() => Task.FromResult(rig.Store.CountUnsent() == 0), Patience, "the rig's outbox to drain");

        await using var archive = await ArchiveHost.StartAsync(ArchiveHost.Settings(broker.Port, rig.Mqtt.TopicPrefix, db, "archive-gaps"));
        for (var i = 101; i <= 150; i++)
        {
            await rig.Recorder.SampleAsync(TelemetryHarness.Sample(testId, "ch1", t0.AddSeconds(i), i), CancellationToken.None);
        }

        await ArchiveDb.WaitUntilAsync(async () => await ArchiveDb.ScalarAsync<long>(db, "SELECT count(*) FROM samples") == 150
            && await ArchiveDb.ScalarAsync<long>(db, "SELECT count(*) FROM gaps WHERE closed_at IS NOT NULL") >= 1
            && await ArchiveDb.ScalarAsync<long>(db, "SELECT count(*) FROM open_gaps") == 0, Patience, "the gap to be replayed and closed");
        var seqs = await ArchiveDb.SeqsAsync(db, "SELECT seq FROM samples ORDER BY seq");
        Assert.Equal(Enumerable.Range(1, 150).Select(i => (long)i), seqs);
        Assert.Equal(1, await ArchiveDb.ScalarAsync<long>(db,
            "SELECT count(*) FROM gaps WHERE stream = 'ch1/telemetry' AND from_seq = 1 AND to_seq = 100 AND replay_requests >= 1 AND closed_at IS NOT NULL"));
        Directory.Delete(directory, true);
    }
}

/// <summary>Two archive instances on one shared subscription ($share/&lt;group&gt;/…) and one database.</summary>
[Trait("Category", TestCategories.OutOfProcess)]
public sealed class ArchiveSharedSubscriptionTests : IClassFixture<PostgresFixture>
{
    private readonly PostgresFixture _postgres;

    public ArchiveSharedSubscriptionTests(PostgresFixture postgres) => _postgres = postgres;

    [Fact]
    public async Task Two_archives_on_a_shared_subscription_split_the_work_and_the_database_holds_every_sample_once()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var db = await _postgres.Server.CreateDatabaseAsync();
        var directory = Directory.CreateTempSubdirectory("rig-archive-shared-").FullName;
        await using var rig = new TelemetryHarness(broker.Port, Path.Combine(directory, "rig.db"), syncEveryCommit: false);
        await rig.StartAsync();
        Dictionary<string, string?> Settings(string clientId)
        {
            var settings = ArchiveHost.Settings(broker.Port, rig.Mqtt.TopicPrefix, db, clientId);
            settings["Archive:SharedGroup"] = "archive";
            // A peer may commit seq n+1 before this one commits n: holes younger than this are not gaps.
            settings["Archive:GapGrace"] = "00:00:05";
            settings["Archive:BatchSize"] = "50";
            return settings;
        }
        await using var first = await ArchiveHost.StartAsync(Settings("archive-a"));
        await using var second = await ArchiveHost.StartAsync(Settings("archive-b"));
        var t0 = DateTimeOffset.Parse("2026-12-02T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var tests = new Dictionary<string, string> { ["ch1"] = await rig.StartTestAsync("ch1", t0), ["ch2"] = await rig.StartTestAsync("ch2", t0) };
        for (var i = 1; i <= 400; i++)
        {
            foreach (var (channel, testId) in tests)
            {
                await rig.Recorder.SampleAsync(TelemetryHarness.Sample(testId, channel, t0.AddSeconds(i), i), CancellationToken.None);
            }
        }

        await ArchiveDb.WaitUntilAsync(async () => await ArchiveDb.ScalarAsync<long>(db, "SELECT count(*) FROM samples") == 800, TimeSpan.FromSeconds(60), "800 samples");
        foreach (var channel in tests.Keys)
        {
            Assert.Equal(Enumerable.Range(1, 400).Select(i => (long)i), await ArchiveDb.SeqsAsync(db, $"SELECT seq FROM samples WHERE channel = '{channel}' ORDER BY seq"));
        }
        // The broker handed each message to one of them: both wrote, neither wrote everything. (A writer counts its rows
        // just after its commit: the last batch may be visible in the database a moment before it is counted.)
        await ArchiveDb.WaitUntilAsync(() => Task.FromResult(first.Ingestor.SamplesWritten + second.Ingestor.SamplesWritten >= 800),
            TimeSpan.FromSeconds(10), "both archives to count their last batch");
        Assert.InRange(first.Ingestor.SamplesWritten, 1, 799);
        Assert.InRange(second.Ingestor.SamplesWritten, 1, 799);
        Assert.Equal(800, first.Ingestor.SamplesWritten + second.Ingestor.SamplesWritten);
        Assert.Equal(0, await ArchiveDb.ScalarAsync<long>(db, "SELECT count(*) FROM gaps"));
        Directory.Delete(directory, true);
    }
}
