using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rig.Drivers.Cells;
using Rig.Service.Configuration;
using Rig.Service.Engine;
using Rig.Service.Engine.Simulation;
using Rig.Service.Export;
using Rig.Service.Recording;
using Rig.Service.Store;
using Rig.Service.Tests.Support;

namespace Rig.Service.Tests.Engine;

/// <summary>
/// Issue 21: a twin calibrated from a Battery Data Format file (ours or another lab's, read by analyze's reader)
/// recovers the parameters that generated the test, within the uncertainty docs/engine.md#calibrating-the-twin states.
/// </summary>
public sealed class BdfCalibrationTests : IDisposable
{
    private static readonly FullCellParameters Generating = new()
    {
        CathodeCapacityMilliampHoursPerSquareCentimetre = 1.0,
        InitialCoulombicEfficiency = 0.90,
        CoulombicEfficiency = 0.9990,
        CathodeFadePerCycle = 0.002,
        AreaSpecificResistanceOhmSquareCentimetres = 220,
    };

    private readonly string _state = Directory.CreateTempSubdirectory("afr-bdf-twin-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_state, recursive: true);
    }

    [Fact]
    public async Task Calibrate_twin_from_an_exported_BDF_file_recovers_the_generating_parameters_within_stated_uncertainty()
    {
        await ExportSimulatedTestAsync(cycles: 40);
        var verbs = Verbs();

        var reply = await (await verbs.SendAsync("calibrate-twin", """{"file":"test-1.bdf.csv"}""")).Deferred!;

        Assert.True(reply.Ok, reply.Message);
        var data = JsonDocument.Parse(reply.ToJson()).RootElement.GetProperty("data");
        AssertRecovered(data);
        // The conditions came from the file's own columns (the die block at 40 °C, the clamp at 10 MPa).
        Assert.Equal(40, data.GetProperty("temperature_degC").GetDouble(), 1);
        Assert.Equal(10, data.GetProperty("stack_pressure_MPa").GetDouble(), 1);
        Assert.True(File.Exists(Path.Combine(_state, "twin-calibration", "ch1.json")));
    }

    [Fact]
    public async Task Another_labs_file_without_our_metadata_is_calibrated_against_the_protocol_it_names()
    {
        var (samples, metadata) = await ExportSimulatedTestAsync(cycles: 40);
        File.Delete(metadata);
        var verbs = Verbs();

        var refused = await (await verbs.SendAsync("calibrate-twin", """{"file":"test-1.bdf.csv","channel":"ch1"}""")).Deferred!;
        var reply = await (await verbs.SendAsync("calibrate-twin",
            """{"file":"test-1.bdf.csv","channel":"ch1","preset":"anode-free-full-cell","parameters":{"cycles":"40"}}""")).Deferred!;

        Assert.False(refused.Ok);
        Assert.Contains("holds no protocol", refused.Message, StringComparison.Ordinal);
        Assert.True(reply.Ok, reply.Message);
        AssertRecovered(JsonDocument.Parse(reply.ToJson()).RootElement.GetProperty("data"));
        Assert.True(File.Exists(samples));
    }

    [Theory]
    [InlineData("""{"file":"../rig.db"}""", "'file' must not contain")]
    [InlineData("""{"file":"nope.bdf.csv"}""", "no file 'nope.bdf.csv'")]
    [InlineData("""{"file":"test-1.bdf.csv","test_id":"test-1"}""", "either test_id or file")]
    [InlineData("""{"test_id":"test-1","preset":"anode-free-full-cell"}""", "give only test_id")]
    [InlineData("""{"file":"test-1.bdf.csv","channel":"ch9"}""", "unknown channel 'ch9'")]
    [InlineData("""{"file":"test-1.bdf.csv","preset":"ccd-ramp"}""", "is for a AnodeFreeHalfCell")]
    public async Task A_bad_calibration_request_is_refused_at_once_saying_why(string payload, string why)
    {
        await ExportSimulatedTestAsync(cycles: 4);

        var reply = await Verbs().SendAsync("calibrate-twin", payload);
        // Refused at once, or (what only reading the file shows) as the deferred answer.
        var answer = reply.Deferred is { } later ? await later.WaitAsync(TimeSpan.FromMinutes(2)) : reply;

        Assert.False(answer.Ok);
        Assert.Contains(why, answer.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fifo_in_the_exports_folder_is_refused_not_waited_on()
    {
        Directory.CreateDirectory(Path.Combine(_state, "exports"));
        HostileFiles.MakeFifo(Path.Combine(_state, "exports", "pipe.bdf.csv"));

        var reply = await (await Task.Run(() => Verbs().SendAsync("calibrate-twin", """{"file":"pipe.bdf.csv","channel":"ch1","preset":"anode-free-full-cell"}""")))
            .Deferred!.WaitAsync(TimeSpan.FromSeconds(30)); // a blocked open would hang here

        Assert.False(reply.Ok);
        Assert.Contains("not a regular file", reply.Message, StringComparison.Ordinal);
    }

    // Within the uncertainty docs/engine.md#calibrating-the-twin states for a calibration from a file (the same as from the store).
    private static void AssertRecovered(JsonElement data)
    {
        var p = data.GetProperty("parameters");
        Assert.InRange(p.GetProperty("CathodeCapacityMilliampHoursPerSquareCentimetre").GetDouble(), 0.97, 1.03);
        Assert.InRange(p.GetProperty("InitialCoulombicEfficiency").GetDouble(), 0.89, 0.91);
        Assert.InRange(p.GetProperty("CoulombicEfficiency").GetDouble(), 0.9985, 0.9995);
        Assert.InRange(p.GetProperty("CathodeFadePerCycle").GetDouble(), 0.0015, 0.0025);
        Assert.InRange(p.GetProperty("AreaSpecificResistanceOhmSquareCentimetres").GetDouble(), 165, 275);
        var residuals = data.GetProperty("residuals");
        Assert.True(residuals.GetProperty("capacity_rms_relative").GetDouble() < 0.01, residuals.ToString());
        Assert.Equal(43, residuals.GetProperty("cycles_compared").GetInt32());
    }

    /// <summary>The simulated full cell run to its end, recorded in a real store as the service records it, exported to &lt;state&gt;/exports.</summary>
    private async Task<(string Samples, string Metadata)> ExportSimulatedTestAsync(int cycles)
    {
        var parameters = new Dictionary<string, string> { ["cycles"] = cycles.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var text = SimulatedRig.Preset("anode-free-full-cell");
        var rig = SimulatedRig.FullCell(Generating);
        var engine = rig.Start(text, parameters);
        var run = rig.Runner(TimeSpan.FromSeconds(10));
        var samples = new List<TestSampleRecord>();
        run.OnSample = samples.Add;
        await run.RunAsync(engine, maxSamples: 10_000_000);
        using var store = new RigStore(Path.Combine(_state, "rig.db"), syncEveryCommit: false);
        // A sample a minute and at every step change: the rows the energies and mean voltages are integrated over.
        var recorder = new StoreTestRecorder(store, Options.Create(new StoreOptions
        {
            RecordPeriod = TimeSpan.FromMinutes(1), RecordDeltaVoltageMillivolts = 100, RecordDeltaCurrentMilliamps = 1,
        }));
        await recorder.TestStartedAsync(new TestStartRecord("test-1", "rig-test", "ch1", new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero),
            new CellOptions { AreaCm2 = SimulatedRig.AreaCm2, Chemistry = CellChemistry.AnodeFreeFullCell }, engine.Plan.Name, text, engine.Plan.Parameters,
            "test", null, null, null), CancellationToken.None);
        foreach (var sample in samples)
        {
            await recorder.SampleAsync(sample, CancellationToken.None);
        }
        foreach (var cycle in run.Cycles)
        {
            await recorder.CycleClosedAsync(cycle, CancellationToken.None);
        }
        await recorder.TestEndedAsync(run.End!, CancellationToken.None);
        var files = await new BdfExporter(store).ExportAsync("test-1", Path.Combine(_state, "exports"), CancellationToken.None);
        return (files![0], files[2]);
    }

    private DryRunVerbs Verbs()
    {
        var rig = new RigOptions { StateDirectory = _state };
        rig.Channels["ch1"] = new ChannelOptions { Cell = new CellOptions { AreaCm2 = SimulatedRig.AreaCm2, Chemistry = CellChemistry.AnodeFreeFullCell } };
        return new DryRunVerbs(Options.Create(rig), Options.Create(new EngineOptions()), new ServiceCollection().BuildServiceProvider());
    }
}
