using Rig.Service.Control;
using Rig.Service.Engine;
using Rig.Service.Export;
using Rig.Service.Metrics;
using Rig.Service.Store;
using Rig.Service.Tests.Store;
using Rig.Service.Tests.Support;

namespace Rig.Service.Tests.Metrics;

public sealed class AnalyzeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rig-analyze-").FullName;

    public void Dispose() => Directory.Delete(_directory, true);

    [Fact]
    public async Task Our_own_export_analysed_from_the_file_gives_exactly_the_stored_cycle_metrics()
    {
        using var store = new RigStore(Path.Combine(_directory, "rig.db"));
        var rig = new EngineRig(_directory, recorder: StoreRecordingTests.Recorder(store));
        var time = rig.Time;
        var host = rig.NewHost();
        var loop = rig.LoopFor(host);
        var started = await host.StartAsync(new StartTestRequest("ch1", "plating-stripping-1mAh", null,
            new Dictionary<string, string> { ["rest"] = "5 s", ["capacity"] = "0.05 mAh/cm2", ["cycles"] = "3" }), CancellationToken.None);
        Assert.True(started.Accepted, started.Message);
        for (var i = 0; i < 4000 && host.Status()[0].State == RunState.Running; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await loop.TickAsync(CancellationToken.None);
        }
        Assert.Equal(RunState.Finished, host.Status()[0].State);
        var files = await new BdfExporter(store).ExportAsync(started.Id!, _directory, CancellationToken.None);
        var samples = Assert.Single(files!, f => f.EndsWith(".bdf.csv", StringComparison.Ordinal));

        var report = BdfAnalyzer.Analyze(samples);

        var stored = store.ReadCycles(started.Id!);
        Assert.Equal(3, stored.Count);
        Assert.Equal(stored.Count, report.Cycles.Count);
        for (var i = 0; i < stored.Count; i++)
        {
            Assert.Equal(stored[i].Cycle, report.Cycles[i].Metrics.Cycle);
            Assert.Equal(stored[i].ChargeCapacityMilliampHours, report.Cycles[i].Metrics.ChargeMilliampHours, 12);
            Assert.Equal(stored[i].DischargeCapacityMilliampHours, report.Cycles[i].Metrics.DischargeMilliampHours, 12);
            Assert.Equal(stored[i].CoulombicEfficiency, report.Cycles[i].Metrics.CoulombicEfficiency, 12);
            // Energy from the rows the recording policy kept: close, not exact (docs/metrics.md).
            Assert.Equal(1, report.Cycles[i].Metrics.DischargeMilliwattHours / stored[i].DischargeEnergyMilliwattHours, 2);
        }
        var end = store.FindTest(started.Id!)!.End!;
        Assert.Equal(end.InitialCoulombicEfficiency!.Value, report.Test.InitialCoulombicEfficiency!.Value, 12);
        Assert.Equal(end.AverageCoulombicEfficiency!.Value, report.Test.AverageCoulombicEfficiency!.Value, 12);
    }

    [Fact]
    public void Another_labs_file_with_cumulative_capacities_or_none_gives_the_same_cycles()
    {
        // 1 A for 10 s charging, -1 A for 9 s discharging, twice; 1 s rows.
        var rows = new List<(double T, double I, double V)>();
        var t = 0.0;
        for (var cycle = 0; cycle < 2; cycle++)
        {
            for (var s = 0; s <= 10; s++) { rows.Add((t++, 1, 3.5)); }
            for (var s = 0; s <= 9; s++) { rows.Add((t++, -1, 3.0)); }
        }
        var bare = "Test Time / s,Current / A,Voltage / V\n" + string.Join("\n", rows.Select(r => FormattableString.Invariant($"{r.T},{r.I},{r.V}")));

        var report = BdfAnalyzer.Analyze(new StringReader(bare), "bare.csv");

        Assert.Equal(2, report.Cycles.Count);
        Assert.True(report.Cycles[0].Metrics.ChargeAmpSeconds > 9 && report.Cycles[0].Metrics.DischargeAmpSeconds > 8);
        Assert.Equal(report.Cycles[0].Metrics.CoulombicEfficiency, report.Cycles[1].Metrics.CoulombicEfficiency, 12);
    }

    [Theory]
    [InlineData("Test Time / s,Current / A,Voltage / V\n0,1,3.5\n1,abc,3.5\n", 3, "Current / A")]
    [InlineData("Test Time / s,Current / A,Voltage / V\n0,1,3.5\n1,1,\n", 3, "Voltage / V")]
    [InlineData("Test Time / s,Current / A,Voltage / V\n5,1,3.5\n1,1,3.5\n", 3, "Test Time / s")]
    [InlineData("Time,Current / A,Voltage / V\n0,1,3.5\n", 1, null)]
    public void A_bad_file_is_refused_naming_the_line_and_column(string csv, int line, string? column)
    {
        var ex = Assert.Throws<BdfFormatException>(() => BdfAnalyzer.Analyze(new StringReader(csv), "bad.csv"));

        Assert.Equal(line, ex.Line);
        Assert.Equal(column, ex.Column);
        Assert.StartsWith($"bad.csv:{line}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_sidecar_beside_the_file_gives_formation_cycles_areal_and_nominal_capacities()
    {
        var path = TwoCycleFile("lab.bdf.csv");
        File.WriteAllText(Path.Combine(_directory, "lab.bdf.metadata.json"),
            """{ "extras": { "anodefreerig": { "formation_cycles": 1, "cell": { "area_cm2": 2.5, "nominal_capacity_ah": 0.005 } } } }""");

        var report = BdfAnalyzer.Analyze(path);
        var overridden = BdfAnalyzer.Analyze(path, formationCycles: 0);

        Assert.Equal(1, report.FormationCycles);
        Assert.Null(report.Cycles[0].Retention);
        Assert.Equal(1.0, report.Cycles[1].Retention!.Value, 12);
        Assert.Equal(1.0, overridden.Cycles[0].Retention!.Value, 12);
        var summary = System.Text.Json.JsonSerializer.SerializeToElement(AnalyzeCommandLine.Summary(report));
        var first = summary.GetProperty("per_cycle")[0];
        Assert.Equal(report.Cycles[0].Metrics.DischargeMilliampHours / 2.5, first.GetProperty("discharge_areal_capacity_mAh_per_cm2").GetDouble(), 12);
        Assert.Equal(report.Cycles[0].Metrics.DischargeAmpSeconds / 3600 / 0.005, first.GetProperty("discharge_fraction_of_nominal").GetDouble(), 12);
        Assert.EndsWith("lab.bdf.metadata.json", summary.GetProperty("metadata").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "extras": { "anodefreerig": { "cell": { "area_cm2": "big" } } } }""", "extras.anodefreerig.cell.area_cm2")]
    [InlineData("""{ "extras": { "anodefreerig": { "formation_cycles": 1.5 } } }""", "extras.anodefreerig.formation_cycles")]
    [InlineData("""{ "extras": """, null)]
    public void A_bad_sidecar_is_refused_naming_the_file_and_field(string sidecar, string? field)
    {
        var path = TwoCycleFile("bad.bdf.csv");
        File.WriteAllText(Path.Combine(_directory, "bad.bdf.metadata.json"), sidecar);

        var ex = Assert.Throws<BdfFormatException>(() => BdfAnalyzer.Analyze(path));

        Assert.Equal(field, ex.Column);
        Assert.Contains("bad.bdf.metadata.json", ex.Message, StringComparison.Ordinal);
    }

    private string TwoCycleFile(string name)
    {
        var rows = new List<string> { "Test Time / s,Current / A,Voltage / V" };
        var t = 0;
        for (var cycle = 0; cycle < 2; cycle++)
        {
            for (var s = 0; s <= 10; s++) { rows.Add(FormattableString.Invariant($"{t++},0.001,3.5")); }
            for (var s = 0; s <= 9; s++) { rows.Add(FormattableString.Invariant($"{t++},-0.001,3.0")); }
        }
        var path = Path.Combine(_directory, name);
        File.WriteAllLines(path, rows);
        return path;
    }
}
