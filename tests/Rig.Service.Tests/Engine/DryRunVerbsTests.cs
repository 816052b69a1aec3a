using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rig.Drivers.Cells;
using Rig.Service.Configuration;
using Rig.Service.Engine;
using Rig.Service.Engine.Simulation;
using Rig.Service.Telemetry.Commands;
using Rig.Service.Tests.Support;

namespace Rig.Service.Tests.Engine;

/// <summary>The dry-run verbs as MQTT and the CLI reach them: through the router's own argument parsing.</summary>
public sealed class DryRunVerbsTests : IDisposable
{
    // Every state directory a test made; removed when the test ends.
    private readonly List<string> _directories = [];

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var directory in _directories)
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private string TemporaryDirectory()
    {
        var directory = Directory.CreateTempSubdirectory("afr-twin-").FullName;
        _directories.Add(directory);
        return directory;
    }

    [Fact]
    public async Task A_dry_run_answers_later_with_the_prediction_as_data()
    {
        var verbs = Verbs();

        var reply = await verbs.SendAsync("dry-run", """{"channel":"ch1","preset":"anode-free-full-cell","parameters":{"cycles":"20"}}""");

        Assert.True(reply.Ok, reply.Message);
        Assert.NotNull(reply.Deferred);
        var done = await reply.Deferred!;
        Assert.True(done.Ok, done.Message);
        var json = JsonDocument.Parse(done.ToJson()).RootElement;
        var data = json.GetProperty("data");
        Assert.True(data.GetProperty("completed").GetBoolean());
        Assert.Equal(23, data.GetProperty("cycles").GetInt32());
        Assert.Equal(40, data.GetProperty("temperature_degC").GetDouble());
        Assert.True(data.GetProperty("duration_by_step_kind_s").GetProperty("Hold").GetDouble() > 0);
        Assert.NotNull(verbs.Latest("ch1"));
    }

    [Fact]
    public async Task Conditions_can_be_overridden_and_a_cooler_cell_delivers_less()
    {
        var verbs = Verbs();

        var warm = await (await verbs.SendAsync("dry-run", """{"channel":"ch1","preset":"full-cell-rate","parameters":{"perRate":"1"},"temperature_degC":40}""")).Deferred!;
        var warmCapacity = Last(warm);
        var cool = await (await verbs.SendAsync("dry-run", """{"channel":"ch1","preset":"full-cell-rate","parameters":{"perRate":"1"},"temperature_degC":25}""")).Deferred!;

        Assert.True(Last(cool) < warmCapacity, $"at 2 mA/cm²: 25 °C {Last(cool)} vs 40 °C {warmCapacity} mAh/cm²");
        Assert.Equal(25, JsonDocument.Parse(cool.ToJson()).RootElement.GetProperty("data").GetProperty("temperature_degC").GetDouble());

        static double Last(CommandReply reply) =>
            JsonDocument.Parse(reply.ToJson()).RootElement.GetProperty("data").GetProperty("discharge_capacity_mAh_cm2").EnumerateArray().Last().GetDouble();
    }

    [Theory]
    [InlineData("""{"channel":"ch9","preset":"anode-free-full-cell"}""", "unknown channel")]
    [InlineData("""{"channel":"ch1"}""", "either a preset name or a protocol text")]
    [InlineData("""{"channel":"ch1","preset":"nope"}""", "no preset 'nope'")]
    [InlineData("""{"channel":"ch1","preset":"ccd-ramp"}""", "is for a AnodeFreeHalfCell")]
    [InlineData("""{"channel":"ch1","preset":"anode-free-full-cell","temperature_degC":400}""", "outside -40 to 150")]
    [InlineData("""{"channel":"ch1","protocol":"{ \"name\": \"x\" }"}""", "safety")]
    public async Task A_bad_dry_run_is_refused_at_once_saying_why(string payload, string why)
    {
        var reply = await Verbs().SendAsync("dry-run", payload);

        Assert.False(reply.Ok);
        Assert.Null(reply.Deferred);
        Assert.Contains(why, reply.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_dry_run_of_the_channel_is_refused_and_cancel_stops_the_first_with_what_it_had()
    {
        var verbs = Verbs();
        var first = await verbs.SendAsync("dry-run", """{"channel":"ch1","preset":"anode-free-full-cell"}""");

        var second = await verbs.SendAsync("dry-run", """{"channel":"ch1","preset":"anode-free-full-cell"}""");
        var cancel = await verbs.SendAsync("dry-run-cancel", """{"channel":"ch1"}""");
        var done = await first.Deferred!;

        Assert.False(second.Ok);
        Assert.Contains("already running", second.Message, StringComparison.Ordinal);
        Assert.True(cancel.Ok, cancel.Message);
        var data = JsonDocument.Parse(done.ToJson()).RootElement.GetProperty("data");
        Assert.False(data.GetProperty("completed").GetBoolean());
        Assert.Equal("cancelled", data.GetProperty("stopped_because").GetString());
        Assert.False((await verbs.SendAsync("dry-run-cancel", """{"channel":"ch1"}""")).Ok);
    }

    [Fact]
    public async Task Calibrate_twin_fits_a_stored_test_and_the_next_dry_run_of_the_channel_predicts_from_it()
    {
        var generating = new FullCellParameters { CathodeCapacityMilliampHoursPerSquareCentimetre = 0.9, CoulombicEfficiency = 0.999 };
        var parameters = new Dictionary<string, string> { ["cycles"] = "12" };
        var text = SimulatedRig.Preset("anode-free-full-cell");
        var rig = SimulatedRig.FullCell(generating);
        var run = rig.Runner(TimeSpan.FromSeconds(10));
        await run.RunAsync(rig.Start(text, parameters), maxSamples: 10_000_000);
        var path = Path.Combine(TemporaryDirectory(), "rig.db");
        {
            using var store = new Rig.Service.Store.RigStore(path);
            var recorder = new Rig.Service.Store.StoreTestRecorder(store, Options.Create(new Rig.Service.Store.StoreOptions()));
            await recorder.TestStartedAsync(new Rig.Service.Recording.TestStartRecord("test-1", "rig-test", "ch1", DateTimeOffset.UnixEpoch,
                new CellOptions { Chemistry = CellChemistry.AnodeFreeFullCell }, "full cell", text, parameters, "test", null, null, null), CancellationToken.None);
            foreach (var cycle in run.Cycles)
            {
                await recorder.CycleClosedAsync(cycle, CancellationToken.None);
            }
            await recorder.TestEndedAsync(run.End!, CancellationToken.None);
            var state = TemporaryDirectory();
            var verbs = Verbs(new ServiceCollection().AddSingleton(store).BuildServiceProvider(), state);

            var calibrated = await (await verbs.SendAsync("calibrate-twin", """{"test_id":"test-1"}""")).Deferred!;
            // After a restart (a new DryRunVerbs on the same state directory) the twin is still the calibrated one.
            var restarted = Verbs(stateDirectory: state);
            var predicted = await (await restarted.SendAsync("dry-run", """{"channel":"ch1","preset":"anode-free-full-cell","parameters":{"cycles":"12"}}""")).Deferred!;
            Assert.True(File.Exists(Path.Combine(state, "twin-calibration", "ch1.json")));
            Assert.False(File.Exists(Path.Combine(state, "twin-calibration", "ch1.json.tmp")));

            Assert.True(calibrated.Ok, calibrated.Message);
            var data = JsonDocument.Parse(calibrated.ToJson()).RootElement.GetProperty("data");
            Assert.InRange(data.GetProperty("parameters").GetProperty("CathodeCapacityMilliampHoursPerSquareCentimetre").GetDouble(), 0.87, 0.93);
            Assert.True(data.GetProperty("residuals").GetProperty("capacity_rms_relative").GetDouble() < 0.01);
            var capacities = JsonDocument.Parse(predicted.ToJson()).RootElement.GetProperty("data").GetProperty("discharge_capacity_mAh_cm2").EnumerateArray().Select(e => e.GetDouble()).ToList();
            Assert.InRange(capacities[^1], run.Cycles[^1].DischargeArealCapacityMilliampHoursPerSquareCentimetre * 0.98, run.Cycles[^1].DischargeArealCapacityMilliampHoursPerSquareCentimetre * 1.02);
            var unknown = await (await verbs.SendAsync("calibrate-twin", """{"test_id":"nope"}""")).Deferred!;
            Assert.False(unknown.Ok);
            Assert.Contains("no test 'nope'", unknown.Message, StringComparison.Ordinal);
        }
    }

    private DryRunVerbs Verbs(IServiceProvider? services = null, string? stateDirectory = null)
    {
        // Never the user's state directory: a calibration stored there would follow every later test's dry run.
        var rig = new RigOptions { StateDirectory = stateDirectory ?? TemporaryDirectory() };
        rig.Channels["ch1"] = new ChannelOptions
        {
            Cell = new CellOptions { AreaCm2 = SimulatedRig.AreaCm2, Chemistry = CellChemistry.AnodeFreeFullCell },
        };
        return new DryRunVerbs(Options.Create(rig), Options.Create(new EngineOptions()), services ?? new ServiceCollection().BuildServiceProvider());
    }
}
