using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Rig.Service.Channels;
using Rig.Service.Configuration;
using Rig.Service.Control;
using Rig.Service.Engine;
using Rig.Service.Hardware;
using Rig.Service.Recording;
using Rig.Service.Store;

namespace Rig.Service.Tests.Store;

/// <summary>Checkpoints live in the store, in the transaction of the records they cover (issue 13: never ahead of the store).</summary>
public sealed class CheckpointJournalTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rig-journal-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
    private readonly RigEvents _events = new(NullLogger<RigEvents>.Instance);
    private readonly RigOptions _options;
    private readonly RigHardware _hardware;

    public CheckpointJournalTests()
    {
        _options = new RigOptions { StateDirectory = _directory };
        _options.Channels["ch1"] = new ChannelOptions();
        _hardware = new RigHardwareBuilder(Options.Create(_options), _time).Build();
    }

    public void Dispose() => Directory.Delete(_directory, true);

    private string Db => Path.Combine(_directory, "rig.db");

    [Fact]
    public async Task A_checkpoint_whose_records_cannot_be_stored_is_not_stored_either()
    {
        using var store = new RigStore(Db);
        var recorder = StoreRecordingTests.Recorder(store);
        var start = new TestStartRecord("t1", "rig", "ch1", _time.GetUtcNow(), new CellOptions(), "p", "{}", new Dictionary<string, string>(), "v", null, null, null);
        var sample = new TestSampleRecord("never-started", "ch1", _time.GetUtcNow(), 1, 1, 1, 0, "Plate", 0, 0, 0, 0, 0, null, null, null, true);
        var checkpoint = new EngineCheckpoint("ch1", "t1", _time.GetUtcNow(), "{\"TestId\":\"t1\"}");

        await recorder.CommitAsync([new EngineRecord(Start: start)], checkpoint, CancellationToken.None);
        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await recorder.CommitAsync([new EngineRecord(Sample: sample)], checkpoint with { Json = "{\"TestId\":\"later\"}" }, CancellationToken.None));

        Assert.Equal("{\"TestId\":\"t1\"}", Assert.Single(store.ReadCheckpoints()).Json);
    }

    [Fact]
    public async Task When_samples_cannot_be_stored_the_checkpoint_stays_with_the_last_stored_sample_and_a_restart_resumes_there()
    {
        var recordEverySample = new StoreOptions { RecordPeriod = TimeSpan.Zero };
        string testId;
        using (var store = new RigStore(Db))
        {
            var host = NewHost(StoreRecordingTests.Recorder(store, recordEverySample));
            var loop = LoopFor(host);
            var started = await host.StartAsync(new StartTestRequest("ch1", "plating-stripping-1mAh", null, new Dictionary<string, string> { ["rest"] = "5 s" }), CancellationToken.None);
            Assert.True(started.Accepted, started.Message);
            testId = started.Id!;
            await TicksAsync(loop, 60);
            // The disk "fills": every sample insert fails from now on.
            using (var other = new SqliteConnection($"Data Source={Db}"))
            {
                other.Open();
                using var cmd = other.CreateCommand();
                cmd.CommandText = "CREATE TRIGGER full BEFORE INSERT ON samples BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;";
                cmd.ExecuteNonQuery();
            }
            await TicksAsync(loop, 30);
            Assert.Contains(_events.Recent(), e => e.Code == "engine.checkpoint_failed" && e.Severity == RigEventSeverity.Alarm);
        }

        // The process dies; what is on disk must agree with itself.
        using (var store = new RigStore(Db))
        {
            var stored = store.ReadLatestSamples(testId, "ch1", 1).Single();
            var recovered = NewHost(StoreRecordingTests.Recorder(store, recordEverySample));
            var checkpoint = CheckpointJson.Deserialize(Assert.Single(store.ReadCheckpoints()).Json)!;

            Assert.Equal(RunState.Interrupted, recovered.Status()[0].State);
            Assert.Equal(stored.TestTimeSeconds, checkpoint.TestSeconds, 9);
            Assert.Equal(stored.ChargeCapacityAmpHours * 3600, checkpoint.CycleChargeAmpSeconds, 12);
            Assert.InRange(checkpoint.TestSeconds, 55, 61);
        }
    }

    private EngineHost NewHost(ITestRecorder recorder) =>
        new(_hardware, recorder, _events, Options.Create(_options), Options.Create(new EngineOptions()), _time, NullLogger<EngineHost>.Instance);

    private ChannelLoop LoopFor(EngineHost host) =>
        new(_hardware.Channels["ch1"], new RigState(), _events, [host], _time, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), NullLogger<ChannelLoop>.Instance);

    private async Task TicksAsync(ChannelLoop loop, int count)
    {
        for (var i = 0; i < count; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await loop.TickAsync(CancellationToken.None);
        }
    }
}
