using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Rig.Service.Channels;
using Rig.Service.Configuration;
using Rig.Service.Engine;
using Rig.Service.Engine.Simulation;
using Rig.Service.Recording;
using Rig.Service.Store;
using Rig.Service.Telemetry.Commands;

namespace Rig.Service.Tests.Engine;

/// <summary>
/// Issue 21: a dry run's prediction is stored in the store's predictions table, taken by the channel's next test of
/// that protocol (keyed by its id), and read back when the test ends, across a restart, to store and publish the error.
/// </summary>
public sealed class PredictionTrackerTests : IDisposable
{
    // SimulatedRig's clock starts at 2026-01-05 09:00 UTC, when its engine starts the test.
    private static readonly DateTimeOffset Started = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    private readonly string _state = Directory.CreateTempSubdirectory("twin-predictions-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_state, recursive: true);
    }

    [Fact]
    public async Task A_prediction_taken_at_test_start_survives_a_restart_and_its_errors_are_stored_beside_the_result_when_the_test_ends()
    {
        var text = SimulatedRig.Preset("anode-free-full-cell");
        var parameters = new Dictionary<string, string> { ["cycles"] = "10" };
        var rig = Rig();
        string protocolName;
        // Before the restart: the dry run, then the test starts on the channel and takes the prediction.
        await using (var before = Services(rig))
        {
            var verbs = before.GetRequiredService<DryRunVerbs>();
            var done = await (await SendAsync(verbs, "dry-run", """{"channel":"ch1","preset":"anode-free-full-cell","parameters":{"cycles":"10"}}""")).Deferred!;
            Assert.True(done.Ok, done.Message);
            protocolName = JsonDocument.Parse(done.ToJson()).RootElement.GetProperty("data").GetProperty("protocol").GetString()!;
            var store = before.GetRequiredService<RigStore>();
            Assert.NotNull(store.WaitingPrediction("ch1"));
            await Recorder(store).TestStartedAsync(new TestStartRecord("test-1", "rig-test", "ch1", Started, rig.Channels["ch1"].Cell, protocolName, text,
                parameters, "test", null, null, null), CancellationToken.None);
            before.GetRequiredService<RigEvents>().Raise(new RigEvent(Started, RigEventSeverity.Info, "ch1", "engine.test_started", "test test-1 started"));
            await before.GetRequiredService<PredictionTracker>().Completion;
            Assert.Null(store.WaitingPrediction("ch1"));
            // A later dry run on the channel (another protocol) waits for the next test; it does not replace this test's.
            var other = await (await SendAsync(verbs, "dry-run", """{"channel":"ch1","preset":"full-cell-rate","parameters":{"perRate":"1"}}""")).Deferred!;
            Assert.True(other.Ok, other.Message);
        }

        // After the restart (new services, new store connection, same state directory): the real test runs and ends.
        var sim = SimulatedRig.FullCell(TimeSpan.FromSeconds(1));
        var run = sim.Runner(TimeSpan.FromSeconds(10));
        await run.RunAsync(sim.Start(text, parameters), maxSamples: 10_000_000);
        await using var after = Services(rig);
        var reopened = after.GetRequiredService<RigStore>();
        var recorder = Recorder(reopened);
        foreach (var cycle in run.Cycles)
        {
            await recorder.CycleClosedAsync(cycle, CancellationToken.None);
        }
        await recorder.TestEndedAsync(run.End!, CancellationToken.None);
        Assert.Null(after.GetRequiredService<DryRunVerbs>().Latest("ch1")); // nothing in memory: only the store remembers

        after.GetRequiredService<RigEvents>().Raise(new RigEvent(run.End!.EndedAt, RigEventSeverity.Info, "ch1", "engine.test_ended", "finished"));
        await after.GetRequiredService<PredictionTracker>().Completion;

        var stored = reopened.FindPrediction("test-1");
        Assert.NotNull(stored);
        Assert.Equal(protocolName, stored.ProtocolName);
        var actual = Assert.IsType<PredictionActual>(stored.Actual);
        Assert.InRange(Math.Abs(stored.DurationSeconds - actual.DurationSeconds) / actual.DurationSeconds, 0, 0.01);
        Assert.InRange(Math.Abs(stored.LastDischargeArealCapacity!.Value - actual.LastDischargeArealCapacity!.Value) / actual.LastDischargeArealCapacity.Value, 0, 0.01);
        Assert.Equal(13, actual.Cycles);
        Assert.Equal(13, stored.Cycles);
        var published = JsonDocument.Parse(PredictionTracker.Payload("test-1", stored, actual)).RootElement;
        Assert.InRange(Math.Abs(published.GetProperty("duration_error_relative").GetDouble()), 0, 0.01);
        Assert.Equal(13, published.GetProperty("prediction").GetProperty("cycles").GetInt32());
        // The other protocol's dry run still waits for its test.
        Assert.NotEqual(protocolName, reopened.WaitingPrediction("ch1")!.ProtocolName);
    }

    [Fact]
    public async Task A_test_of_another_protocol_does_not_take_the_channels_prediction()
    {
        var rig = Rig();
        await using var services = Services(rig);
        var verbs = services.GetRequiredService<DryRunVerbs>();
        await (await SendAsync(verbs, "dry-run", """{"channel":"ch1","preset":"anode-free-full-cell","parameters":{"cycles":"5"}}""")).Deferred!;
        var store = services.GetRequiredService<RigStore>();
        await Recorder(store).TestStartedAsync(new TestStartRecord("test-2", "rig-test", "ch1", Started.AddYears(1), rig.Channels["ch1"].Cell, "something else",
            "{}", new Dictionary<string, string>(), "test", null, null, null), CancellationToken.None);

        services.GetRequiredService<RigEvents>().Raise(new RigEvent(Started, RigEventSeverity.Info, "ch1", "engine.test_started", "test test-2 started"));
        await services.GetRequiredService<PredictionTracker>().Completion;

        Assert.Null(store.FindPrediction("test-2"));
        Assert.NotNull(store.WaitingPrediction("ch1"));
    }

    private RigOptions Rig()
    {
        var rig = new RigOptions { StateDirectory = _state };
        rig.Channels["ch1"] = new ChannelOptions { Cell = new CellOptions { AreaCm2 = SimulatedRig.AreaCm2, Chemistry = CellChemistry.AnodeFreeFullCell } };
        return rig;
    }

    /// <summary>The services the tracker lives among, as the host composes them, on the state directory's store.</summary>
    private ServiceProvider Services(RigOptions rig)
    {
        var services = new ServiceCollection()
            .AddSingleton(_ => new RigStore(Path.Combine(_state, "rig.db"))) // disposed with the services, as at a stop
            .AddSingleton<TimeProvider>(new FakeTimeProvider(Started.AddHours(-1))) // the dry run comes before the test
            .AddSingleton(new RigEvents(NullLogger<RigEvents>.Instance))
            .AddSingleton(Options.Create(rig))
            .AddSingleton(Options.Create(new EngineOptions()))
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            .AddSingleton<DryRunVerbs>()
            .AddSingleton<PredictionTracker>()
            .BuildServiceProvider();
        _ = services.GetRequiredService<PredictionTracker>(); // the host starts it with the service
        return services;
    }

    private static StoreTestRecorder Recorder(RigStore store) => new(store, Options.Create(new StoreOptions()));

    private static async Task<CommandReply> SendAsync(DryRunVerbs verbs, string verb, string payload)
    {
        var args = CommandArguments.Parse(System.Text.Encoding.UTF8.GetBytes(payload), verbs.Verbs[verb], out var why);
        return args is null ? CommandReply.Error(verb, why) : await verbs.HandleAsync(verb, args, CancellationToken.None);
    }
}
