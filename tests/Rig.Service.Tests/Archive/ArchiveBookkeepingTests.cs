using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Rig.Archive.Ingest;
using Rig.Archive.Storage;
using Rig.Service.Tests.Support;

namespace Rig.Service.Tests.Archive;

/// <summary>
/// The bookkeeping after it stopped being written per batch: a writer inserts a stream_heads row and a test's first
/// sample only when they are new to it, the gap monitor's refresh moves every head to the highest seq archived, and
/// test_overview reads a test's last sample from the samples. Whatever order batches commit in, with batches sent
/// again, and with two writers that know nothing of each other (two archive instances, or one before and after a
/// restart), every head is the highest seq written and every test spans its first to last sample; an archive database of
/// schema version 3 is upgraded in place with its rows kept.
/// </summary>
[Trait("Category", TestCategories.OutOfProcess)]
public sealed class ArchiveBookkeepingTests : IClassFixture<PostgresFixture>
{
    private static readonly DateTime Epoch = new(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc);
    private readonly PostgresFixture _postgres;

    public ArchiveBookkeepingTests(PostgresFixture postgres) => _postgres = postgres;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Heads_and_test_spans_are_the_highest_and_widest_written_in_any_commit_order_and_with_batches_sent_again(int shuffle)
    {
        var db = await _postgres.Server.CreateDatabaseAsync();
        await using var database = new ArchiveDatabase(db, NullLogger<ArchiveDatabase>.Instance);
        await database.MigrateAsync(CancellationToken.None);
        ArchiveWriter[] writers = [new(database), new(database)];
        // 3 rigs x 2 channels x seqs 1..40 in batches of 10 seqs per stream, committed in a shuffled order, some twice.
        var batches = Enumerable.Range(0, 4).Select(b => Enumerable.Range(0, 3).SelectMany(rig => Enumerable.Range(1, 2).SelectMany(ch =>
            Enumerable.Range(b * 10 + 1, 10).Select(seq => Telemetry(rig, ch, seq)))).ToList()).ToList();
        var random = new Random(shuffle);
        var order = batches.Concat(batches.Take(shuffle)).OrderBy(_ => random.Next()).ToList();

        for (var i = 0; i < order.Count; i++)
        {
            await writers[i % 2].WriteAsync(BatchRows.From(order[i]), CancellationToken.None);
            if (i == order.Count / 2)
            {
                await RefreshHeadsAsync(database);
            }
        }
        await RefreshHeadsAsync(database);

        Assert.Equal(6, await ArchiveDb.ScalarAsync<long>(db, "SELECT count(*) FROM stream_heads WHERE stream LIKE '%/telemetry' AND high_seq = 40"));
        Assert.Equal(6, await ArchiveDb.ScalarAsync<long>(db,
            $"SELECT count(*) FROM test_overview WHERE started_at = '{Epoch.AddSeconds(1):O}' AND last_sample_at = '{Epoch.AddSeconds(40):O}'"));
        Assert.Equal(240, await ArchiveDb.ScalarAsync<long>(db, "SELECT count(*) FROM samples"));
    }

    [Fact]
    public async Task A_version_3_database_is_upgraded_with_its_rows_kept_and_the_bookkeeping_tables_given_room_for_hot_updates()
    {
        var db = await _postgres.Server.CreateDatabaseAsync();
        await using var database = new ArchiveDatabase(db, NullLogger<ArchiveDatabase>.Instance);
        Assert.Equal(3, await database.MigrateAsync(CancellationToken.None, upTo: 3));
        var writer = new ArchiveWriter(database);
        await writer.WriteAsync(BatchRows.From(Enumerable.Range(1, 20).Select(seq => Telemetry(0, 1, seq)).ToList()), CancellationToken.None);

        var version = await database.MigrateAsync(CancellationToken.None);
        await writer.WriteAsync(BatchRows.From(Enumerable.Range(21, 20).Select(seq => Telemetry(0, 1, seq)).ToList()), CancellationToken.None);

        Assert.Equal(ArchiveSchema.Migrations.Max(m => m.Version), version);
        Assert.Equal(3, await ArchiveDb.ScalarAsync<long>(db,
            "SELECT count(*) FROM pg_class WHERE relname IN ('stream_heads', 'tests', 'channel_now') AND reloptions @> ARRAY['fillfactor=50']"));
        await RefreshHeadsAsync(database);
        Assert.Equal(40, await ArchiveDb.ScalarAsync<long>(db, "SELECT high_seq FROM stream_heads WHERE rig = 'rig-0' AND stream = 'ch1/telemetry'"));
        Assert.Equal(40, await ArchiveDb.ScalarAsync<long>(db, "SELECT count(*) FROM samples WHERE rig = 'rig-0'"));
        Assert.Equal(1, await ArchiveDb.ScalarAsync<long>(db,
            $"SELECT count(*) FROM test_overview WHERE rig = 'rig-0' AND started_at = '{Epoch.AddSeconds(1):O}' AND last_sample_at = '{Epoch.AddSeconds(40):O}'"));
    }

    /// <summary>What the gap monitor does first in every scan.</summary>
    private static async Task RefreshHeadsAsync(ArchiveDatabase database)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await StreamHeads.RefreshAsync(connection, CancellationToken.None);
    }

    private static ArchiveMessage Telemetry(int rig, int channel, int seq)
    {
        var at = Epoch.AddSeconds(seq);
        var json = string.Create(CultureInfo.InvariantCulture,
            $"{{\"seq\":{seq},\"time\":\"{at:yyyy-MM-ddTHH:mm:ss.fffZ}\",\"test_id\":\"r{rig}-ch{channel}\",\"test_time_s\":{seq},\"voltage_V\":3.2,\"current_A\":0.001,\"step_end\":false}}");
        return new ArchiveMessage(RigTopic.Parse($"lab/rig-{rig}/ch{channel}/telemetry", "lab")!, Encoding.UTF8.GetBytes(json), DateTimeOffset.UtcNow, null);
    }
}
