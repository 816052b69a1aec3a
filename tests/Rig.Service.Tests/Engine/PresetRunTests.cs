using Rig.Service.Engine.Simulation;
using Rig.Drivers.Cells;
using Rig.Service.Control;
using Rig.Service.Recording;

namespace Rig.Service.Tests.Engine;

public class PresetRunTests
{
    [Fact]
    public async Task Capacity_retention_run_plates_each_cycle_what_the_previous_cycle_stripped()
    {
        var rig = SimulatedRig.HalfCell();
        var engine = rig.Start(SimulatedRig.Preset("plating-stripping-1mAh"), new Dictionary<string, string> { ["cycles"] = "12" });
        var run = rig.Runner(TimeSpan.FromSeconds(1));

        await run.RunAsync(engine, maxSamples: 2_000_000);

        Assert.Equal(RunState.Finished, engine.State.State);
        Assert.Equal(12, run.Cycles.Count);
        Assert.InRange(run.Cycles[0].ChargeArealCapacityMilliampHoursPerSquareCentimetre, 1.0 - 1e-6, 1.0 + 1e-6);
        // The plate lands on its target (its last interval sourced just what was left), not on the first sample past it.
        for (var i = 1; i < run.Cycles.Count; i++)
        {
            var target = run.Cycles[i - 1].DischargeArealCapacityMilliampHoursPerSquareCentimetre;
            Assert.InRange(run.Cycles[i].ChargeArealCapacityMilliampHoursPerSquareCentimetre / target - 1, -1e-6, 1e-6);
        }
        Assert.InRange(run.End!.InitialCoulombicEfficiency!.Value, 0.92, 0.935);
        Assert.Equal(run.End.AverageCoulombicEfficiency, engine.LiveMetrics(rig.Time.GetUtcNow()).AverageCoulombicEfficiency);
    }

    [Fact]
    public async Task A_retention_end_condition_ends_the_loop_on_the_first_cycle_below_it()
    {
        var rig = SimulatedRig.HalfCell();
        var engine = rig.Start(SimulatedRig.Preset("plating-stripping-1mAh"), new Dictionary<string, string> { ["stopBelow"] = "99.5 %" });
        var run = rig.Runner(TimeSpan.FromSeconds(1));

        await run.RunAsync(engine, maxSamples: 2_000_000);

        Assert.Equal(RunState.Finished, engine.State.State);
        Assert.Contains("retention < 99.5 %", engine.State.Reason, StringComparison.Ordinal);
        Assert.True(run.Cycles[^1].CapacityRetention < 0.995);
        Assert.All(run.Cycles.SkipLast(1), c => Assert.True(c.CapacityRetention >= 0.995));
    }

    [Fact]
    public async Task Ccd_ramp_stops_within_one_step_of_the_cells_critical_current_and_reports_it()
    {
        var rig = SimulatedRig.HalfCell();
        var engine = rig.Start(SimulatedRig.Preset("ccd-ramp"));
        var run = rig.Runner(TimeSpan.FromSeconds(1));

        await run.RunAsync(engine, maxSamples: 5_000_000);

        Assert.Equal(RunState.Finished, engine.State.State);
        var ccd = run.End!.CriticalCurrentDensityMilliampsPerSquareCentimetre!.Value;
        Assert.InRange(ccd, 6.0 - 0.2 - 1e-9, 6.0 + 0.2 + 1e-9);
        Assert.True(rig.Chemistry.IsShorted);
        Assert.False(rig.Instrument.OutputOn);
        Assert.Contains(run.Events, e => e.Code == "engine.short_circuit");
    }

    [Fact]
    public async Task Full_cell_preset_runs_400_cycles_with_the_cells_ice_and_average_ce_and_holds_until_the_current_falls()
    {
        var rig = SimulatedRig.FullCell(TimeSpan.FromSeconds(1));
        var engine = rig.Start(SimulatedRig.Preset("anode-free-full-cell"));
        var run = rig.Runner(TimeSpan.FromSeconds(10));
        var holdEnds = new List<TestSampleRecord>();
        run.OnSample = s =>
        {
            if (s.StepEnd && s.StepType == "Hold")
            {
                holdEnds.Add(s);
            }
        };

        await run.RunAsync(engine, maxSamples: 10_000_000);

        Assert.Equal(RunState.Finished, engine.State.State);
        Assert.Equal(403, run.Cycles.Count);
        var end = run.End!;
        Assert.InRange(end.InitialCoulombicEfficiency!.Value, 0.92, 0.935);
        Assert.InRange(end.AverageCoulombicEfficiency!.Value, 0.9996 - 0.0002, 0.9996 + 0.0002);
        // The hold ends on the first sample below 0.2 mA/cm² and never before.
        Assert.All(holdEnds, s => Assert.InRange(s.CurrentAmperes * 1000 / SimulatedRig.AreaCm2, 0.15, 0.2));
        Assert.All(holdEnds, s => Assert.InRange(s.VoltageVolts, 3.49, 3.51));
        Assert.All(run.Cycles, c => Assert.True(c.CvHoldSeconds > 0));
        Assert.NotNull(end.CyclesTo80PercentRetention);
        Assert.InRange(run.Cycles[^1].CapacityRetention!.Value, 0.6, 0.8);
    }

    // Issue 21: integrated in 10 s steps the full-cell twin averaged CE 1.00077 (0.99968 at 1 s): more charge out than
    // in. The engine samples every 10 s, so the cell never integrates more than 10 s at once here; ChargeConservationTests
    // (Rig.Drivers.Tests) run the cell alone with steps up to 30 min.
    [Fact]
    public async Task Full_cell_preset_measures_the_same_coulombic_efficiency_at_1_s_and_10_s_cell_steps_and_never_returns_more_than_it_took()
    {
        var parameters = new Dictionary<string, string> { ["cycles"] = "12" };
        var reference = await RunFullCell(TimeSpan.FromSeconds(1), parameters);
        var coarse = await RunFullCell(TimeSpan.FromSeconds(10), parameters);

        // One cycle can return sodium a previous discharge left behind (its CE may touch 1); the test as a whole cannot.
        foreach (var run in new[] { reference, coarse })
        {
            var charged = run.Cycles.Sum(c => c.ChargeCapacityMilliampHours);
            var discharged = run.Cycles.Sum(c => c.DischargeCapacityMilliampHours);
            Assert.True(discharged < charged, $"discharged {discharged:0.00000} mAh of {charged:0.00000} mAh charged");
            Assert.InRange(run.End!.AverageCoulombicEfficiency!.Value, 0.9990, 1.0);
        }
        Assert.InRange(coarse.End!.AverageCoulombicEfficiency!.Value,
            reference.End!.AverageCoulombicEfficiency!.Value - 5e-5, reference.End.AverageCoulombicEfficiency.Value + 5e-5);
        Assert.Equal(reference.Cycles.Count, coarse.Cycles.Count);
    }

    // Fig. 7a-c: the rate-test preset on the twin at 25 °C: less capacity at every higher current density.
    [Fact]
    public async Task Full_cell_rate_preset_at_room_temperature_delivers_less_capacity_at_each_higher_current()
    {
        var rig = SimulatedRig.FullCell(TimeSpan.FromSeconds(10), celsius: 25);
        var engine = rig.Start(SimulatedRig.Preset("full-cell-rate"), new Dictionary<string, string> { ["rest"] = "1 min" });
        var run = rig.Runner(TimeSpan.FromSeconds(10));

        await run.RunAsync(engine, maxSamples: 10_000_000);

        Assert.Equal(RunState.Finished, engine.State.State);
        Assert.Equal(3 + 5 * 3, run.Cycles.Count);
        var lastOfEachRate = Enumerable.Range(1, 5).Select(k => run.Cycles[3 + 3 * k - 1].DischargeArealCapacityMilliampHoursPerSquareCentimetre).ToList();
        Assert.True(lastOfEachRate.Zip(lastOfEachRate.Skip(1)).All(p => p.Second < p.First), string.Join(", ", lastOfEachRate.Select(c => c.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture))));
    }

    private static async Task<AcceleratedRun> RunFullCell(TimeSpan maxStep, IReadOnlyDictionary<string, string> parameters)
    {
        var rig = SimulatedRig.FullCell(maxStep);
        var engine = rig.Start(SimulatedRig.Preset("anode-free-full-cell"), parameters);
        var run = rig.Runner(TimeSpan.FromSeconds(10));
        await run.RunAsync(engine, maxSamples: 10_000_000);
        Assert.Equal(RunState.Finished, engine.State.State);
        return run;
    }
}
