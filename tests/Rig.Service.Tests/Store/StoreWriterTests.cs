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
using Rig.Service.Tests.Telemetry;

namespace Rig.Service.Tests.Store;

/// <summary>
/// The store writer: the channel loops hand records over and go on while the disk stalls; the writer commits them in
/// order, in groups; what a crash can lose is the pending group, never a committed one, and nothing uncommitted is in
/// the outbox. Stalls and failing disks are SQLite commit hooks (<see cref="CommitGate"/>); no timing is asserted.
/// </summary>
public sealed class StoreWriterTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("rig-writer-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, true);
    }

    private string DbPath => Path.Combine(_directory, "rig.db");

    private static StoreOptions Options(int capacity = 10_000, int maxGroup = 1_000, TimeSpan? fullWait = null) => new()
    {
        RecordPeriod = TimeSpan.FromTicks(1),
        WriteQueueCapacity = capacity,
        MaxGroupRecords = maxGroup,
        WriteQueueFullWait = fullWait ?? TimeSpan.FromMinutes(5),
    };

    private static async Task<string> StartTestAsync(StoreTestRecorder recorder, string channelId = "ch1")
    {
        var testId = $"{channelId}-{Guid.NewGuid():N}"[..16];
        await recorder.TestStartedAsync(new TestStartRecord(testId, "rig-t", channelId, Start, new CellOptions(), "p", "steps: []",
            new Dictionary<string, string>(), "0.1.0", null, null, null), CancellationToken.None);
        return testId;
    }

    private static TestSampleRecord Sample(string testId, int i, string channelId = "ch1") =>
        TelemetryHarness.Sample(testId, channelId, Start.AddSeconds(i), i);

    [Fact]
    public async Task Records_handed_over_while_a_commit_stalls_return_at_once_and_all_commit_in_order_across_back_pressure()
    {
        const int capacity = 8;
        const int count = 400;
        using var store = new RigStore(DbPath);
        using var gate = new CommitGate(store);
        using var writer = new StoreWriter(store, Microsoft.Extensions.Options.Options.Create(Options(capacity, maxGroup: 16)), TimeProvider.System);
        var recorder = new StoreTestRecorder(store, Microsoft.Extensions.Options.Options.Create(Options(capacity)), writer: writer);
        var testId = await StartTestAsync(recorder);
        await recorder.FlushAsync();

        gate.Close();
        var first = recorder.SampleAsync(Sample(testId, 0), CancellationToken.None);
        gate.WaitUntilHolding();
        // The disk holds the first record's commit: the next `capacity` hand-overs still return at once.
        Assert.True(first.IsCompletedSuccessfully);
        for (var i = 1; i <= capacity; i++)
        {
            Assert.True(recorder.SampleAsync(Sample(testId, i), CancellationToken.None).IsCompletedSuccessfully, $"sample {i} waited for the disk");
        }
        // The queue is full: the next one waits for room (back-pressure, not loss) as long as the commit is held.
        var waiting = recorder.SampleAsync(Sample(testId, capacity + 1), CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);
        var rest = Task.Run(async () =>
        {
            await waiting;
            for (var i = capacity + 2; i < count; i++)
            {
                await recorder.SampleAsync(Sample(testId, i), CancellationToken.None);
            }
        });
        gate.Open();
        await rest.WaitAsync(TimeSpan.FromSeconds(60));
        await recorder.FlushAsync().WaitAsync(TimeSpan.FromSeconds(60));

        var stored = store.ReadSamples(testId, "ch1", 0, count + 10);
        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), stored.Select(s => s.RecordIndex));
        Assert.Equal(Enumerable.Range(0, count).Select(i => Start.AddSeconds(i)), stored.Select(s => s.Sample.Timestamp));
        var telemetry = store.ReadUnsent(0, count + 10).Where(m => m.Stream == "ch1/telemetry").ToList();
        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), telemetry.Select(m => m.Seq));
        Assert.True(writer.Groups < count, $"{writer.Groups} commits for {count} records: records were not grouped");
        Assert.Equal(0, writer.Dropped);
    }

    [Fact]
    public async Task A_failing_commit_is_retried_with_the_same_group_and_reported_until_the_disk_takes_it()
    {
        using var store = new RigStore(DbPath);
        using var gate = new CommitGate(store);
        using var writer = new StoreWriter(store, Microsoft.Extensions.Options.Options.Create(Options()), TimeProvider.System);
        var problems = new List<string?>();
        writer.ProblemChanged += p =>
        {
            lock (problems)
            {
                problems.Add(p);
            }
        };
        var recorder = new StoreTestRecorder(store, Microsoft.Extensions.Options.Options.Create(Options()), writer: writer);
        var testId = await StartTestAsync(recorder);
        await recorder.FlushAsync();

        gate.FailNext(1);
        for (var i = 0; i < 50; i++)
        {
            await recorder.SampleAsync(Sample(testId, i), CancellationToken.None);
        }
        await recorder.FlushAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), store.ReadSamples(testId, "ch1", 0, 100).Select(s => s.RecordIndex));
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), store.ReadUnsent(0, 100).Where(m => m.Stream == "ch1/telemetry").Select(m => m.Seq));
        lock (problems)
        {
            Assert.Equal(2, problems.Count);
            Assert.Contains("cannot write", problems[0], StringComparison.Ordinal);
            Assert.Null(problems[1]);
        }
        Assert.Null(writer.Problem);
    }

    [Fact]
    public async Task A_record_the_store_refuses_is_skipped_and_the_rest_of_its_group_commits()
    {
        using var store = new RigStore(DbPath);
        using var gate = new CommitGate(store);
        using var writer = new StoreWriter(store, Microsoft.Extensions.Options.Options.Create(Options()), TimeProvider.System);
        var recorder = new StoreTestRecorder(store, Microsoft.Extensions.Options.Options.Create(Options()), writer: writer);
        var testId = await StartTestAsync(recorder);
        await recorder.FlushAsync();

        gate.Close();
        await recorder.SampleAsync(Sample(testId, 0), CancellationToken.None);
        gate.WaitUntilHolding();
        // Queued behind the held commit, so these three share one group: the middle one names a test never started.
        await recorder.SampleAsync(Sample(testId, 1), CancellationToken.None);
        await recorder.SampleAsync(Sample("never-started", 2, "ch2"), CancellationToken.None);
        await recorder.SampleAsync(Sample(testId, 3), CancellationToken.None);
        gate.Open();
        await recorder.FlushAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal([0, 1, 3], store.ReadSamples(testId, "ch1", 0, 10).Select(s => (int)s.Sample.TestTimeSeconds));
        Assert.Equal([1L, 2L, 3L], store.ReadUnsent(0, 10).Where(m => m.Stream == "ch1/telemetry").Select(m => m.Seq));
        Assert.DoesNotContain(store.ReadUnsent(0, 10), m => m.Stream == "ch2/telemetry");
    }

    [Fact]
    public async Task When_the_queue_stays_full_past_the_wait_the_record_is_dropped_and_counted_so_the_loop_is_never_held()
    {
        var time = new FakeTimeProvider(Start);
        using var store = new RigStore(DbPath);
        using var gate = new CommitGate(store);
        using var writer = new StoreWriter(store, Microsoft.Extensions.Options.Options.Create(Options(capacity: 2, fullWait: TimeSpan.FromSeconds(1))), time);
        static void Noop(SqliteTransaction tx) { }

        gate.Close();
        Assert.True(await writer.EnqueueAsync(Noop));
        gate.WaitUntilHolding();
        Assert.True(await writer.EnqueueAsync(Noop));
        Assert.True(await writer.EnqueueAsync(Noop));
        var fourth = writer.EnqueueAsync(Noop).AsTask();
        Assert.False(fourth.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(await fourth.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, writer.Dropped);
        gate.Open();
    }

    [Fact]
    public async Task A_crash_before_the_pending_group_commits_loses_that_group_only_and_nothing_uncommitted_is_in_the_outbox()
    {
        string testId;
        var store = new RigStore(DbPath);
        var gate = new CommitGate(store);
        var writer = new StoreWriter(store, Microsoft.Extensions.Options.Options.Create(Options()), TimeProvider.System);
        var recorder = new StoreTestRecorder(store, Microsoft.Extensions.Options.Options.Create(Options()), writer: writer);
        testId = await StartTestAsync(recorder);
        for (var i = 0; i < 100; i++)
        {
            await recorder.SampleAsync(Sample(testId, i), CancellationToken.None);
        }
        await recorder.FlushAsync();
        gate.Close();
        for (var i = 100; i < 150; i++)
        {
            await recorder.SampleAsync(Sample(testId, i), CancellationToken.None);
        }
        gate.WaitUntilHolding();
        // The process dies here: the held commit never happens, nor anything queued behind it.
        gate.FailForever();
        writer.Complete(TimeSpan.FromMilliseconds(200));
        Assert.Equal(101, writer.Committed); // the test's start and the first 100 samples

        using (var reopened = new RigStore(DbPath))
        {
            var samples = reopened.ReadSamples(testId, "ch1", 0, 1000);
            var telemetry = reopened.ReadUnsent(0, 1000).Where(m => m.Stream == "ch1/telemetry").ToList();
            Assert.Equal(Enumerable.Range(0, 100).Select(i => (double)i), samples.Select(s => s.Sample.TestTimeSeconds));
            // Every committed sample has its message and no message exists for a sample that was not committed.
            Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), telemetry.Select(m => m.Seq));
        }
        writer.Dispose();
        gate.Dispose();
        store.Dispose();
    }

    [Fact]
    public async Task The_channel_loop_keeps_sampling_on_its_period_while_the_store_cannot_commit_and_loses_nothing()
    {
        var time = new FakeTimeProvider(Start);
        var options = new RigOptions { StateDirectory = _directory };
        options.Channels["ch1"] = new ChannelOptions();
        var hardware = new RigHardwareBuilder(Microsoft.Extensions.Options.Options.Create(options), time).Build();
        var events = new RigEvents(NullLogger<RigEvents>.Instance);
        using var store = new RigStore(DbPath);
        using var gate = new CommitGate(store);
        using var writer = new StoreWriter(store, Microsoft.Extensions.Options.Options.Create(Options()), time);
        var recorder = new StoreTestRecorder(store, Microsoft.Extensions.Options.Options.Create(Options()), writer: writer);
        var host = new EngineHost(hardware, recorder, events, Microsoft.Extensions.Options.Options.Create(options),
            Microsoft.Extensions.Options.Options.Create(new EngineOptions()), time, NullLogger<EngineHost>.Instance);
        var loop = new ChannelLoop(hardware.Channels["ch1"], new RigState(), events, [host], time, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3),
            NullLogger<ChannelLoop>.Instance);
        Assert.True((await host.StartAsync(new StartTestRequest("ch1", "plating-stripping-1mAh", null), CancellationToken.None)).Accepted);

        gate.Close();
        await loop.TickAsync(CancellationToken.None);
        gate.WaitUntilHolding();
        // Two virtual minutes of sampling while the disk holds the first commit: every tick completes.
        for (var i = 0; i < 120; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await loop.TickAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        }
        Assert.True(gate.Holding);
        Assert.Equal(RunState.Running, host.Status()[0].State);
        gate.Open();
        await recorder.FlushAsync().WaitAsync(TimeSpan.FromSeconds(60));

        var testId = host.Status()[0].TestId!;
        var stored = store.ReadSamples(testId, "ch1", 0, 1000);
        Assert.Equal(121, stored.Count);
        Assert.Equal(Enumerable.Range(0, 121).Select(i => Start.AddSeconds(i)), stored.Select(s => s.Sample.Timestamp));
    }
}
