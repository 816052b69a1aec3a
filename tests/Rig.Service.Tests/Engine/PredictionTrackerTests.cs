using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rig.Service.Channels;
using Rig.Service.Configuration;
using Rig.Service.Engine;
using Rig.Service.Engine.Simulation;
using Rig.Service.Store;
using Rig.Service.Telemetry.Commands;

namespace Rig.Service.Tests.Engine;

/// <summary>Issue 21: when a test ends, its dry-run prediction is stored beside the result with the errors.</summary>
public class PredictionTrackerTests
{
    [Fact]
    public async Task When_a_dry_run_test_ends_the_prediction_and_its_errors_are_stored_beside_the_result()
    {
        var directory = Directory.CreateTempSubdirectory("twin-predictions-").FullName;
        try
        {
            var rig = new RigOptions { StateDirectory = directory };
            rig.Channels["ch1"] = new ChannelOptions { Cell = new CellOptions { AreaCm2 = SimulatedRig.AreaCm2, Chemistry = CellChemistry.AnodeFreeFullCell } };
            using var store = new RigStore(Path.Combine(directory, "rig.db"));
            var services = new ServiceCollection()
                .AddSingleton(store)
                .AddSingleton(new RigEvents(NullLogger<RigEvents>.Instance))
                .AddSingleton(Options.Create(rig))
                .AddSingleton(Options.Create(new EngineOptions()))
                .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
                .AddSingleton<DryRunVerbs>()
                .AddSingleton<PredictionTracker>()
                .BuildServiceProvider();
            var verbs = services.GetRequiredService<DryRunVerbs>();
            var args = CommandArguments.Parse("""{"channel":"ch1","preset":"anode-free-full-cell","parameters":{"cycles":"10"}}"""u8.ToArray(), verbs.Verbs["dry-run"], out _)!;
            await (await verbs.HandleAsync("dry-run", args, CancellationToken.None)).Deferred!;

            // The "real" test: the simulated channel at 1 s cell steps, recorded in the store as the service does.
            var text = SimulatedRig.Preset("anode-free-full-cell");
            var parameters = new Dictionary<string, string> { ["cycles"] = "10" };
            var sim = SimulatedRig.FullCell(TimeSpan.FromSeconds(1));
            var engine = sim.Start(text, parameters);
            var run = sim.Runner(TimeSpan.FromSeconds(10));
            await run.RunAsync(engine, maxSamples: 10_000_000);
            var recorder = new StoreTestRecorder(store, Options.Create(new StoreOptions()));
            // SimulatedRig's clock starts at 2026-01-05 09:00 UTC, when its engine started the test.
            var started = new Rig.Service.Recording.TestStartRecord("test-1", "rig-test", "ch1", new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero),
                rig.Channels["ch1"].Cell, engine.Plan.Name, text, parameters, "test", null, null, null);
            await recorder.TestStartedAsync(started, CancellationToken.None);
            foreach (var cycle in run.Cycles)
            {
                await recorder.CycleClosedAsync(cycle, CancellationToken.None);
            }
            await recorder.TestEndedAsync(run.End!, CancellationToken.None);
            var tracker = services.GetRequiredService<PredictionTracker>();

            services.GetRequiredService<RigEvents>().Raise(new RigEvent(run.End!.EndedAt, RigEventSeverity.Info, "ch1", "engine.test_ended", "finished"));
            await tracker.Completion;

            var stored = JsonDocument.Parse(await File.ReadAllBytesAsync(tracker.PathFor("test-1"))).RootElement;
            Assert.InRange(Math.Abs(stored.GetProperty("duration_error_relative").GetDouble()), 0, 0.01);
            Assert.InRange(Math.Abs(stored.GetProperty("last_capacity_error_relative").GetDouble()), 0, 0.01);
            Assert.Equal(13, stored.GetProperty("cycles_actual").GetInt32());
            Assert.Equal(13, stored.GetProperty("cycles_predicted").GetInt32());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }
}
