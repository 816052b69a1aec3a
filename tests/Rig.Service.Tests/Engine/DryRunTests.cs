using Rig.Service.Configuration;
using Rig.Service.Control;
using Rig.Service.Engine.Protocols;
using Rig.Service.Engine.Simulation;

namespace Rig.Service.Tests.Engine;

/// <summary>Issue 21: dry-run any protocol on the channel's twin before a cell is touched.</summary>
public class DryRunTests
{
    private static ChannelOptions FullCellChannel() => new()
    {
        Cell = new CellOptions { AreaCm2 = SimulatedRig.AreaCm2, Chemistry = CellChemistry.AnodeFreeFullCell },
    };

    [Fact]
    public async Task Dry_run_of_the_400_cycle_full_cell_preset_predicts_the_simulated_runs_duration_within_1_percent_and_cycles_to_80_percent_exactly()
    {
        var text = SimulatedRig.Preset("anode-free-full-cell");
        // No wall-time bound here (the suite runs tests in parallel on a shared machine); the benchmark times it.
        var prediction = await DryRunner.RunAsync(ProtocolCompiler.Compile(text), "ch1", FullCellChannel(), new DryRunOptions { WallTimeLimit = TimeSpan.FromMinutes(10) });

        // The "real" run: the simulated channel integrating in 1 s steps and sampled every second, as the service's
        // simulated rig does (Rig:SamplePeriod). Sampled every 10 s instead, it ended each step up to 9 s late and
        // said 262 where the rig says 263; the dry run samples every 10 s but ends steps on the rig's 1 s grid.
        var rig = SimulatedRig.FullCell(TimeSpan.FromSeconds(1));
        var engine = rig.Start(text);
        var run = rig.Runner(TimeSpan.FromSeconds(1));
        await run.RunAsync(engine, maxSamples: 100_000_000);

        Assert.True(prediction.Completed);
        Assert.Equal(RunState.Finished, prediction.FinalState);
        Assert.Equal(40, prediction.Conditions.TemperatureCelsius);
        Assert.Equal(10, prediction.Conditions.StackPressureMegapascals);
        Assert.InRange(prediction.DurationSeconds, engine.State.TestSeconds * 0.99, engine.State.TestSeconds * 1.01);
        Assert.Equal(run.End!.CyclesTo80PercentRetention, prediction.CyclesTo80PercentRetention);
        Assert.Equal(run.Cycles.Count, prediction.Cycles);
        Assert.Null(prediction.FirstLimit);
        Assert.Empty(prediction.Warnings);
        Assert.Equal(prediction.DurationSeconds, prediction.SecondsByStepKind.Values.Sum(), 0);
        Assert.True(prediction.SecondsByStepKind["Hold"] > 0 && prediction.SecondsByStepKind["Rest"] == 600);
    }

    [Fact]
    public async Task Dry_run_of_a_capacity_retention_half_cell_test_ends_its_steps_where_the_rigs_1_s_sampling_would()
    {
        // Capacity-retention mode plates what the last strip returned, so a strip that ended up to 9 s late (10 s
        // samples) compounded: the dry run said 438 cycles and 80 % at cycle 135 where the 1 s rig runs 725 and 229.
        var text = SimulatedRig.Preset("plating-stripping-1mAh");
        var parameters = new Dictionary<string, string> { ["stopBelow"] = "79 %" };
        var channel = new ChannelOptions { Cell = new CellOptions { AreaCm2 = SimulatedRig.AreaCm2, Chemistry = CellChemistry.AnodeFreeHalfCell } };
        var prediction = await DryRunner.RunAsync(ProtocolCompiler.Compile(text, parameters), "ch1", channel, new DryRunOptions { WallTimeLimit = TimeSpan.FromMinutes(10) });

        var rig = SimulatedRig.HalfCell();
        var engine = rig.Start(text, parameters);
        var run = rig.Runner(TimeSpan.FromSeconds(1));
        await run.RunAsync(engine, maxSamples: 100_000_000);

        Assert.True(prediction.Completed);
        Assert.Equal(run.End!.CyclesTo80PercentRetention, prediction.CyclesTo80PercentRetention);
        Assert.InRange(prediction.DurationSeconds, engine.State.TestSeconds * 0.99, engine.State.TestSeconds * 1.01);
        Assert.InRange(prediction.Cycles, run.Cycles.Count - 1, run.Cycles.Count + 1);
    }

    [Fact]
    public async Task A_step_that_can_never_reach_its_end_is_a_warning_and_the_time_out_is_the_first_limit()
    {
        const string text = """
            { "name": "0.01 instead of 0.1", "cell": "AnodeFreeFullCell", "conditions": { "temperature": "40 °C" },
              "safety": { "voltage": "0 V to 5.5 V", "maxCurrent": "5 mA/cm2" },
              "steps": [ "Charge at 0.01 mA/cm2 until 3.5 V (timeout 3 h)" ] }
            """;

        var prediction = await DryRunner.RunAsync(ProtocolCompiler.Compile(text), "ch1", FullCellChannel(), new DryRunOptions());

        Assert.Equal(RunState.Faulted, prediction.FinalState);
        Assert.Contains(prediction.Warnings, w => w.Contains("never reached its end condition", StringComparison.Ordinal) && w.Contains("until 3.5 V", StringComparison.Ordinal));
        Assert.NotNull(prediction.FirstLimit);
        Assert.Contains("time-out", prediction.FirstLimit!.What, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_first_safety_limit_is_named_with_its_time()
    {
        // The protocol asks for 40 °C but its own safety block stops at 35 °C: the test would pause at once.
        const string text = """
            { "name": "limit below the condition", "cell": "AnodeFreeFullCell", "conditions": { "temperature": "40 °C" },
              "safety": { "voltage": "0 V to 3.8 V", "maxCurrent": "5 mA/cm2", "maxTemperature": "35 °C" },
              "steps": [ "Rest for 10 min", "Charge at 1 mA/cm2 until 3.5 V" ] }
            """;

        var prediction = await DryRunner.RunAsync(ProtocolCompiler.Compile(text), "ch1", FullCellChannel(), new DryRunOptions());

        Assert.Contains("temperature", prediction.FirstLimit!.What, StringComparison.Ordinal);
        Assert.InRange(prediction.FirstLimit.AtSeconds, 0, 10); // the first check after the rest began
        Assert.False(prediction.Completed);
    }

    [Fact]
    public async Task A_charge_past_a_window_below_its_end_clamps_at_compliance_and_runs_into_its_time_out()
    {
        const string text = """
            { "name": "window too tight", "cell": "AnodeFreeFullCell", "conditions": { "temperature": "40 °C" },
              "safety": { "voltage": "0 V to 3.3 V", "maxCurrent": "5 mA/cm2" }, "stepTimeout": "10 h",
              "steps": [ "Charge at 1 mA/cm2 until 3.5 V" ] }
            """;

        var prediction = await DryRunner.RunAsync(ProtocolCompiler.Compile(text), "ch1", FullCellChannel(), new DryRunOptions());

        Assert.Equal(RunState.Faulted, prediction.FinalState);
        Assert.Contains("time-out", prediction.FirstLimit!.What, StringComparison.Ordinal);
        Assert.Contains(prediction.Warnings, w => w.Contains("\"Charge at 1 mA/cm2 until 3.5 V\" never reached", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_cancelled_or_overrunning_dry_run_answers_with_what_it_has()
    {
        var plan = ProtocolCompiler.Compile(SimulatedRig.Preset("anode-free-full-cell"));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var stopped = await DryRunner.RunAsync(plan, "ch1", FullCellChannel(), new DryRunOptions(), cancellationToken: cancelled.Token);
        var bounded = await DryRunner.RunAsync(plan, "ch1", FullCellChannel(), new DryRunOptions { WallTimeLimit = TimeSpan.Zero });

        Assert.False(stopped.Completed);
        Assert.Equal("cancelled", stopped.StoppedBecause);
        Assert.False(bounded.Completed);
        Assert.Contains("wall-time bound", bounded.StoppedBecause, StringComparison.Ordinal);
        Assert.True(bounded.DurationSeconds > 0);
    }
}
