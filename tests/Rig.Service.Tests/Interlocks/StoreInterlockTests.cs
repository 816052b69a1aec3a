using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Rig.Service.Channels;
using Rig.Service.Control;
using Rig.Service.Engine;
using Rig.Service.Interlocks;
using Rig.Service.Recording;
using Rig.Service.Store;
using Rig.Service.Tests.Support;

namespace Rig.Service.Tests.Interlocks;

/// <summary>
/// A full disk, without needing one: the storage seams (recorder, checkpoint store, SQLite) throw what a full disk
/// makes them throw (SQLITE_FULL, ENOSPC), and stop when "space returns".
/// </summary>
public sealed class StoreInterlockTests
{
    [Fact]
    public async Task A_full_store_holds_every_channel_no_cycling_goes_unrecorded_and_when_space_returns_tests_can_be_resumed()
    {
        var recorder = new FullDiskRecorder();
        using var rig = new InterlockRig(recorder: recorder);
        Assert.True((await rig.StartAsync("ch1")).Accepted);
        await rig.RunAsync(TimeSpan.FromMinutes(1));
        Assert.True(rig.OutputOn("ch1"));

        recorder.Full = true;
        await rig.RunAsync(TimeSpan.FromSeconds(40));

        Assert.False(rig.OutputOn("ch1"));
        Assert.Equal(RunState.Paused, rig.RunState("ch1"));
        var held = Assert.Single(rig.Held("ch1"));
        Assert.Equal((InterlockKind.StoreUnavailable, StoreAvailability.Database), (held.Kind, held.Source));
        Assert.Contains("database or disk is full", held.Reason);
        Assert.Contains(rig.Held("ch2"), i => i.Kind == InterlockKind.StoreUnavailable); // rig-wide: no channel may start either
        Assert.Contains(rig.Raised, e => e.Code == "interlock.raised" && e.Source == InterlockBoard.RigWide && e.Severity == RigEventSeverity.Alarm);
        Assert.True(rig.HeaterDuty > 0, "heater control goes on without the store");
        var refused = await rig.Engine.ResumeAsync("ch1", CancellationToken.None);
        Assert.False(refused.Accepted);
        Assert.Contains("StoreUnavailable", refused.Message);
        Assert.False((await rig.StartAsync("ch2", "anode-free-full-cell")).Accepted);
        Assert.True(recorder.Probes > 0 && recorder.Probes <= 5, $"probed {recorder.Probes} times in 40 s (every 10 s)");

        recorder.Full = false;
        await rig.RunAsync(TimeSpan.FromSeconds(11));

        Assert.Empty(rig.Held("ch1"));
        Assert.Contains(rig.Raised, e => e.Code == "interlock.cleared" && e.Message.Contains("successful write", StringComparison.Ordinal));
        Assert.Equal(RunState.Paused, rig.RunState("ch1"));
        var kept = recorder.Samples;
        Assert.True((await rig.Engine.ResumeAsync("ch1", CancellationToken.None)).Accepted);
        await rig.RunAsync(TimeSpan.FromSeconds(30));
        Assert.True(rig.OutputOn("ch1"));
        Assert.True(recorder.Samples > kept, "the rig records again");
    }

    [Fact]
    public async Task Checkpoint_writes_on_a_full_disk_raise_the_store_interlock_too()
    {
        FullDiskCheckpoints? checkpoints = null;
        using var rig = new InterlockRig(checkpoints: dir => checkpoints = new FullDiskCheckpoints(dir));
        Assert.True((await rig.StartAsync("ch1")).Accepted);
        await rig.RunAsync(TimeSpan.FromMinutes(1));
        Assert.True(rig.OutputOn("ch1"));

        checkpoints!.Full = true;
        // The first checkpoint after this (the engine checkpoints on every position change) fails.
        await rig.Engine.PauseAsync("ch1", "operator", CancellationToken.None);
        await rig.RunAsync(TimeSpan.FromSeconds(3));

        var held = Assert.Single(rig.Held("ch1"));
        Assert.Equal((InterlockKind.StoreUnavailable, StoreAvailability.Checkpoints), (held.Kind, held.Source));
        Assert.Contains("No space left on device", held.Reason);
        Assert.False((await rig.Engine.ResumeAsync("ch1", CancellationToken.None)).Accepted);

        checkpoints.Full = false;
        await rig.RunAsync(TimeSpan.FromSeconds(11));
        Assert.Empty(rig.Held("ch1"));
        Assert.True((await rig.Engine.ResumeAsync("ch1", CancellationToken.None)).Accepted);
    }

    [Fact]
    public void Only_storage_failures_count_as_the_store_being_unavailable()
    {
        Assert.True(StoreAvailability.IsUnavailable(new SqliteException("database or disk is full", 13)));
        Assert.True(StoreAvailability.IsUnavailable(new SqliteException("attempt to write a readonly database", 8)));
        Assert.True(StoreAvailability.IsUnavailable(new SqliteException("disk I/O error", 10 | (3 << 8))));
        Assert.True(StoreAvailability.IsUnavailable(new IOException("No space left on device")));
        Assert.False(StoreAvailability.IsUnavailable(new SqliteException("constraint failed", 19)));
        Assert.False(StoreAvailability.IsUnavailable(new InvalidOperationException("bug")));
    }

    [Fact]
    public async Task Events_that_overflow_the_queue_are_counted_and_reported_as_an_alarm_not_dropped_silently()
    {
        var directory = TestScratch.NewStateDirectory();
        using var store = new RigStore(Path.Combine(directory, "rig.db"));
        var events = new RigEvents(NullLogger<RigEvents>.Instance);
        var at = new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
        using var recorder = new EventRecorder(events, store, NullLogger<EventRecorder>.Instance, capacity: 8);
        for (var i = 0; i < 20; i++)
        {
            events.Raise(new RigEvent(at.AddSeconds(i), RigEventSeverity.Warning, "ch1", "pressure.warning", $"burst {i}"));
        }
        Assert.Equal(12, recorder.Dropped);

        await recorder.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!events.Recent().Any(e => e.Code == "events.dropped") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
        await Task.Delay(100);
        await recorder.StopAsync(CancellationToken.None);

        var alarm = Assert.Single(events.Recent(), e => e.Code == "events.dropped");
        Assert.Equal(RigEventSeverity.Alarm, alarm.Severity);
        Assert.Contains("12 event(s)", alarm.Message);
        var stored = store.ReadUnsent(0, 100).Select(m => System.Text.Encoding.UTF8.GetString(m.Payload)).ToList();
        Assert.Contains(stored, p => p.Contains("events.dropped", StringComparison.Ordinal));
        Assert.Equal(9, stored.Count); // the 8 newest of the burst and the alarm that says what is missing
    }

    /// <summary>An in-memory recorder in front of a disk that fills: every write throws SQLITE_FULL while <see cref="Full"/>.</summary>
    private sealed class FullDiskRecorder : ITestRecorder
    {
        private readonly InMemoryTestRecorder _inner = new();
        private int _samples;
        private int _probes;

        public bool Full { get; set; }

        public int Samples => Volatile.Read(ref _samples);

        public int Probes => Volatile.Read(ref _probes);

        public ValueTask TestStartedAsync(TestStartRecord start, CancellationToken cancellationToken) => Write(() => _inner.TestStartedAsync(start, cancellationToken));

        public ValueTask SampleAsync(TestSampleRecord sample, CancellationToken cancellationToken) =>
            Write(() => { Interlocked.Increment(ref _samples); return _inner.SampleAsync(sample, cancellationToken); });

        public ValueTask CycleClosedAsync(CycleSummary summary, CancellationToken cancellationToken) => Write(() => _inner.CycleClosedAsync(summary, cancellationToken));

        public ValueTask TestEndedAsync(TestEndRecord end, CancellationToken cancellationToken) => Write(() => _inner.TestEndedAsync(end, cancellationToken));

        public ValueTask ProbeWritableAsync(DateTimeOffset at, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _probes);
            return Write(() => ValueTask.CompletedTask);
        }

        private ValueTask Write(Func<ValueTask> write) =>
            Full ? throw new SqliteException("SQLite Error 13: 'database or disk is full'.", 13) : write();
    }

    /// <summary>The real checkpoint store, on a disk that fills: saves and probes throw ENOSPC while <see cref="Full"/>.</summary>
    private sealed class FullDiskCheckpoints(string directory) : CheckpointStore(directory)
    {
        public bool Full { get; set; }

        public override void Save(EngineState state)
        {
            ThrowIfFull();
            base.Save(state);
        }

        public override void Save(EngineCheckpoint checkpoint)
        {
            ThrowIfFull();
            base.Save(checkpoint);
        }

        public override void Probe()
        {
            ThrowIfFull();
            base.Probe();
        }

        private void ThrowIfFull()
        {
            if (Full)
            {
                throw new IOException("No space left on device", 28);
            }
        }
    }
}
