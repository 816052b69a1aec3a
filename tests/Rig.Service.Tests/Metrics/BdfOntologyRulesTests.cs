using System.Text.Json;
using Rig.Service.Configuration;
using Rig.Service.Export;
using Rig.Service.Metrics;

namespace Rig.Service.Tests.Metrics;

/// <summary>
/// Our export held to the Battery Data Format ontology 1.3.0, whose rules are read as data (<see cref="BdfOntologyRules"/>),
/// and round-tripped through analyze: the file gives back the live metrics.
/// </summary>
public sealed class BdfOntologyRulesTests : IDisposable
{
    // The simulated instruments read current to better than this; a rest or a step's sign is judged beyond it.
    private const double CurrentToleranceAmperes = 1e-9;

    private static readonly Dictionary<string, string> HalfCell = new()
    {
        ["rest"] = "5 s", ["capacity"] = "0.05 mAh/cm2", ["cycles"] = "4",
    };

    private static readonly Dictionary<string, string> FullCell = new()
    {
        ["rest"] = "5 s", ["formationCurrent"] = "4 mA/cm2", ["current"] = "4 mA/cm2", ["cycles"] = "3",
    };

    private readonly string _directory = Directory.CreateTempSubdirectory("rig-bdf-").FullName;
    private readonly BdfOntologyRules _rules = new();

    public void Dispose() => Directory.Delete(_directory, true);

    [Fact]
    public void The_rules_file_is_the_ontology_we_claim()
    {
        Assert.Equal(["Test Time / s", "Voltage / V", "Current / A"], _rules.Required);
        Assert.True(_rules.IsDeprecated("Step Capacity / Ah"));
        Assert.False(_rules.IsDeprecated("Step Cumulative Capacity / Ah"));
        Assert.Contains("Ambient Temperature / degC", _rules.Recommended);
        Assert.Equal("1.3.0", BdfColumns.OntologyVersion);
    }

    [Fact]
    public void Every_exported_label_is_the_ontologys_or_declared_and_none_is_deprecated()
    {
        var custom = new HashSet<string>(StringComparer.Ordinal) { BdfColumns.ClampForce };
        foreach (var label in BdfColumns.Samples.Where(l => !custom.Contains(l)))
        {
            Assert.True(_rules.IsOntologyLabel(label), label);
            Assert.False(_rules.IsDeprecated(label), label);
        }
        Assert.All(_rules.Recommended.Where(r => r != "Ambient Temperature / degC"), r => Assert.Contains(r, BdfColumns.Samples));
    }

    [Fact]
    public async Task A_half_cell_run_with_a_pause_exports_a_file_that_keeps_every_ontology_rule()
    {
        using var run = await ExportedRun.RunAsync(_directory, CellChemistry.AnodeFreeHalfCell, "plating-stripping-1mAh", HalfCell,
            TimeSpan.FromSeconds(7), pauseAtSample: 40, pausedSamples: 9);

        var custom = CheckSidecar(run);
        var problems = _rules.Check(run.Samples, custom, CurrentToleranceAmperes);
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(20)));
    }

    [Fact]
    public async Task A_full_cell_run_with_cv_holds_exports_a_file_that_keeps_every_ontology_rule()
    {
        using var run = await ExportedRun.RunAsync(_directory, CellChemistry.AnodeFreeFullCell, "anode-free-full-cell", FullCell, TimeSpan.FromSeconds(10));

        var custom = CheckSidecar(run);
        var problems = _rules.Check(run.Samples, custom, CurrentToleranceAmperes);
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(20)));
        var types = File.ReadLines(run.Samples).Skip(1).Select(l => l.Split(',')[Array.IndexOf(BdfColumns.Samples.ToArray(), BdfColumns.StepType)]).ToHashSet();
        Assert.Equal(["CC_CHG", "CC_DCH", "CV_CHG", "REST"], types.Order());
    }

    [Fact]
    public void A_file_breaking_the_rules_is_caught()
    {
        var path = Path.Combine(_directory, "bad.bdf.csv");
        File.WriteAllLines(path,
        [
            "Test Time / s,Voltage / V,Current / A,Step Capacity / Ah,Step Type,Charging Capacity / Ah,Cycle Count / 1,Clamp Force / N",
            "0,3.0,0.001,0,CC_CHG,0,1,10",
            "1,3.1,0.001,0.1,CC_CHG,0.2,1,10",
            "1,3.1,-0.001,0,CC_DCH,0.2,1,10",
            "2,3.0,-0.001,0.1,CC_DCH,0.1,1,10",
            "3,3.0,0.001,0,REST,0.1,0,10",
        ]);

        var problems = _rules.Check(path, new HashSet<string>(), CurrentToleranceAmperes);

        Assert.Contains(problems, p => p.Contains("'Step Capacity / Ah' is deprecated", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'Clamp Force / N' is neither", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("row 4: the instant of row 3 written twice", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("row 5: running total 'Charging Capacity / Ah'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("row 6: Cycle Count decreases", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("row 6: Step Type REST with Current 0.001", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Export_then_analyze_gives_the_live_metrics_within_one_ppm()
    {
        using var run = await ExportedRun.RunAsync(_directory, CellChemistry.AnodeFreeFullCell, "anode-free-full-cell", FullCell, TimeSpan.FromSeconds(10));

        var report = BdfAnalyzer.Analyze(run.Samples);

        var stored = run.Store.ReadCycles(run.TestId);
        var end = run.Store.FindTest(run.TestId)!.End!;
        Assert.Equal(6, stored.Count);
        Assert.Equal(3, report.FormationCycles); // from the sidecar
        Assert.Equal(stored.Count, report.Cycles.Count);
        for (var i = 0; i < stored.Count; i++)
        {
            var analysed = report.Cycles[i];
            Assert.Equal(stored[i].Cycle, analysed.Metrics.Cycle);
            WithinPpm(stored[i].ChargeCapacityMilliampHours, analysed.Metrics.ChargeMilliampHours);
            WithinPpm(stored[i].DischargeCapacityMilliampHours, analysed.Metrics.DischargeMilliampHours);
            WithinPpm(stored[i].CoulombicEfficiency, analysed.Metrics.CoulombicEfficiency);
            Assert.Equal(stored[i].CapacityRetention is null, analysed.Retention is null);
            if (stored[i].CapacityRetention is { } retention)
            {
                WithinPpm(retention, analysed.Retention!.Value);
            }
        }
        WithinPpm(end.InitialCoulombicEfficiency!.Value, report.Test.InitialCoulombicEfficiency!.Value);
        WithinPpm(end.AverageCoulombicEfficiency!.Value, report.Test.AverageCoulombicEfficiency!.Value);
        Assert.Equal(end.CyclesTo80PercentRetention, report.Test.CyclesTo80PercentRetention);
        Assert.Equal(end.CyclesTo70PercentRetention, report.Test.CyclesTo70PercentRetention);
        Assert.Equal(0.785, report.Sidecar!.CellAreaCm2);
    }

    private static void WithinPpm(double expected, double actual) =>
        Assert.True(Math.Abs(actual - expected) <= 1e-6 * Math.Abs(expected), $"{actual} differs from {expected} by more than 1 ppm");

    /// <summary>The sidecar's name, keys and statements; returns the custom columns it declares ("Name / unit").</summary>
    private static HashSet<string> CheckSidecar(ExportedRun run)
    {
        Assert.Equal(Path.ChangeExtension(run.Samples, ".metadata.json"), run.Metadata);
        using var document = JsonDocument.Parse(File.ReadAllText(run.Metadata));
        Assert.All(document.RootElement.EnumerateObject(), p => Assert.Contains(p.Name, BdfOntologyRules.SidecarKeys));
        var ours = document.RootElement.GetProperty("extras").GetProperty("anodefreerig");
        Assert.Equal(BdfColumns.OntologyVersion, ours.GetProperty("ontology_version").GetString());
        Assert.Contains("excludes paused time", ours.GetProperty("test_time").GetString(), StringComparison.Ordinal);
        var columns = ours.GetProperty("columns");
        Assert.Contains("die block", columns.GetProperty(BdfColumns.TemperatureT1).GetString(), StringComparison.Ordinal);
        Assert.Contains("measured", columns.GetProperty(BdfColumns.SurfacePressure).GetString(), StringComparison.Ordinal);
        Assert.Equal("AF-07", ours.GetProperty("start").GetProperty("cell").GetProperty("name").GetString());
        return ours.GetProperty("variable_measured").EnumerateArray()
            .Select(v => $"{v.GetProperty("name").GetString()} / {v.GetProperty("unit_text").GetString()}").ToHashSet(StringComparer.Ordinal);
    }
}
