using System.Globalization;
using Rig.Service.Tests.Support;
using Rig.Service.Tests.Telemetry;

namespace Rig.Service.Tests.Archive;

/// <summary>
/// The archive as its own OS process (dotnet Rig.Archive.dll), killed with SIGKILL while it is writing, after the
/// lab broker was down for a while: the restarted archive ends with every seq exactly once and nothing skipped.
/// Replay requests are off (Archive:MaxReplayRequests=0) so a skipped message would stay missing, not be repaired.
/// </summary>
[Trait("Category", TestCategories.OutOfProcess)]
public sealed class ArchiveCrashTests : IClassFixture<PostgresFixture>
{
    private const int Samples = 1500;
    private readonly PostgresFixture _postgres;

    public ArchiveCrashTests(PostgresFixture postgres) => _postgres = postgres;

    [Fact]
    public async Task An_archive_killed_mid_batch_after_a_broker_outage_loses_nothing_and_duplicates_nothing()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var db = await _postgres.Server.CreateDatabaseAsync();
        var directory = Directory.CreateTempSubdirectory("rig-archive-crash-").FullName;
        await using var rig = new TelemetryHarness(broker.Port, Path.Combine(directory, "rig.db"), pageSize: 50, syncEveryCommit: false);
        await rig.StartAsync();
        var environment = new Dictionary<string, string>
        {
            ["Archive__Broker"] = "127.0.0.1",
            ["Archive__Port"] = broker.Port.ToString(CultureInfo.InvariantCulture),
            ["Archive__Username"] = "",
            ["Archive__TopicPrefix"] = rig.Mqtt.TopicPrefix,
            ["Archive__ClientId"] = "archive-crash",
            ["Archive__ConnectionString"] = db,
            ["Archive__BatchSize"] = "200",
            ["Archive__BatchDelay"] = "00:00:00.050",
            ["Archive__MaxInFlight"] = "1000",
            ["Archive__GapScanPeriod"] = "00:00:00.500",
            ["Archive__GapGrace"] = "00:00:00",
            ["Archive__MaxReplayRequests"] = "0",
            ["Archive__ReconnectMinDelay"] = "00:00:00.100",
            ["Archive__ReconnectMaxDelay"] = "00:00:00.500",
        };
        var archive = ServiceProcess.StartProgram("Rig.Archive.dll", environment);
        await archive.WaitForLogAsync("Archive connected to the lab broker", TimeSpan.FromSeconds(60));
        var t0 = DateTimeOffset.Parse("2026-12-02T00:00:00Z", CultureInfo.InvariantCulture);
        var tests = new Dictionary<string, string> { ["ch1"] = await rig.StartTestAsync("ch1", t0), ["ch2"] = await rig.StartTestAsync("ch2", t0) };
        async Task Record(int from, int to)
        {
            for (var i = from; i <= to; i++)
            {
                foreach (var (channel, testId) in tests)
                {
                    await rig.Recorder.SampleAsync(TelemetryHarness.Sample(testId, channel, t0.AddSeconds(i), i), CancellationToken.None);
                }
            }
        }

        await Record(1, 200);
        // The lab broker goes down; the rig keeps recording into its outbox; the broker comes back with the archive's session.
        await broker.StopAsync();
        await Record(201, Samples);
        await broker.RestartAsync();

        // SIGKILL while the backlog is being written: some batches committed, later ones not yet, some committed but not acknowledged.
        Task<long> Count() => ArchiveDb.ScalarAsync<long>(db, "SELECT count(*) FROM samples");
        await ArchiveDb.WaitUntilAsync(async () => await Count() > 600, TimeSpan.FromSeconds(120),
            () => $"the archive to be writing the backlog (rig outbox unsent {rig.Store.CountUnsent()}); archive log:\n{archive.Output}");
        await archive.KillAsync();
        var atKill = await Count();
        Assert.InRange(atKill, 601, 2 * Samples - 1);

        await using var restarted = ServiceProcess.StartProgram("Rig.Archive.dll", environment);
        await ArchiveDb.WaitUntilAsync(async () => await Count() == 2 * Samples && rig.Store.CountUnsent() == 0, TimeSpan.FromSeconds(120),
            $"all {2 * Samples} samples after the restart (had {atKill} at the kill)");
        await Task.Delay(1500); // anything still redelivered would land now; the keys must drop it
        foreach (var channel in tests.Keys)
        {
            var seqs = await ArchiveDb.SeqsAsync(db, $"SELECT seq FROM samples WHERE channel = '{channel}' ORDER BY seq");
            Assert.Equal(Enumerable.Range(1, Samples).Select(i => (long)i), seqs);
        }
        Assert.Equal(0, await ArchiveDb.ScalarAsync<long>(db, "SELECT count(*) FROM gaps"));
        Assert.True(await restarted.StopAsync(), restarted.Output);
        await archive.DisposeAsync();
        Directory.Delete(directory, true);
    }
}
