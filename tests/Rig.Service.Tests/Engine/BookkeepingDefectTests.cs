using Rig.Service.Control;
using Rig.Service.Engine;

namespace Rig.Service.Tests.Engine;

/// <summary>Issue 13's defects, each on exact hand-made samples so the expected coulombs are known to the last digit.</summary>
public sealed class BookkeepingDefectTests : IDisposable
{
    private const double Milliamp = 1e-3;
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "rig-bookkeeping-" + Guid.NewGuid().ToString("N"));

    private const string PlateStrip = """
        { "name": "plate-strip", "safety": { "voltage": "-1 V to 3.5 V", "maxCurrent": "10 mA" },
          "steps": [ "Plate at 1 mA for 1 mAh", "Strip at 1 mA until 2 V" ] }
        """;

    private const string ChargeHoldDischarge = """
        { "name": "cccv", "safety": { "voltage": "0 V to 3.8 V", "maxCurrent": "5 mA" },
          "steps": [ "Charge at 1 mA until 3.5 V", "Hold at 3.5 V until 0.2 mA", "Discharge at 1 mA until 1.8 V" ] }
        """;

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void A_pause_integrates_the_interval_ending_at_the_pause_sample_before_the_output_goes_off()
    {
        var run = new ScriptedSamples(PlateStrip);
        run.Sample(0.5, 0, Second); // enters the plate: 1 mA from here
        for (var i = 0; i < 10; i++)
        {
            run.Sample(-0.05, -Milliamp, Second);
        }
        Assert.True(run.Engine.RequestPause("operator"));

        var command = run.Sample(-0.05, -Milliamp, Second);

        Assert.Equal(EngineCommandKind.OutputOff, command.Kind);
        Assert.Equal(RunState.Paused, run.Engine.State.State);
        // Eleven seconds of 1 mA flowed before the output went off: all eleven are counted (the old engine lost the last).
        Assert.Equal(11 * Milliamp, run.Engine.State.StepAmpSeconds, 15);
        Assert.Equal(11 * Milliamp, run.Engine.State.CycleChargeAmpSeconds, 15);
        Assert.Equal(11.0, run.Engine.State.StepSeconds, 12);
    }

    [Fact]
    public void A_test_paused_and_resumed_inside_a_cv_hold_checkpoints_and_counts_the_hold_from_its_first_sample()
    {
        var checkpoints = new CheckpointStore(_directory);
        var run = new ScriptedSamples(ChargeHoldDischarge);
        run.Sample(3.0, 0, Second);
        run.Sample(3.4, Milliamp, Second);
        run.Sample(3.5, Milliamp, Second); // reaches 3.5 V: the hold starts here
        run.Sample(3.5, 0.8 * Milliamp, Second);
        Assert.Equal("Hold at 3.5 V until 0.2 mA", run.Engine.StepText);
        run.Engine.RequestPause("pressure out of window");
        run.Sample(3.5, 0.7 * Milliamp, Second);
        Assert.Equal(RunState.Paused, run.Engine.State.State);
        checkpoints.Save(run.Engine.State);

        Assert.True(run.Engine.Resume());
        run.Sample(3.4, 0, Second); // output was off: re-enters the hold
        checkpoints.Save(run.Engine.State); // the old engine's NaN here made this throw
        var before = run.Engine.State.CvHoldAmpSeconds;
        run.Sample(3.5, 0.6 * Milliamp, Second);

        // The first interval after the resume carries the hold's current at its right end (nothing is known of the left).
        Assert.Equal(0.6 * Milliamp, run.Engine.State.CvHoldAmpSeconds - before, 15);
        var loaded = Assert.Single(checkpoints.LoadAll(out var unreadable));
        Assert.Empty(unreadable);
        Assert.Null(loaded.LastCurrentAmperes);
    }

    [Fact]
    public void Energy_is_the_trapezoid_of_voltage_times_current()
    {
        var run = new ScriptedSamples(PlateStrip);
        run.Sample(0.5, 0, Second);
        run.Sample(-0.02, -Milliamp, Second);
        run.Sample(-0.06, -Milliamp, Second);

        // Interval 1: left end unknown (the cell was at rest), right end 0.02 V·1 mA. Interval 2: trapezoid of 0.02 and 0.06 mW.
        Assert.Equal((0.02e-3 + 0.5 * (0.02e-3 + 0.06e-3)) * 1.0, run.Engine.State.CycleChargeJoules, 15);
    }

    [Fact]
    public void A_wall_clock_jump_either_way_moves_no_charge()
    {
        foreach (var jump in new[] { TimeSpan.FromHours(1), TimeSpan.FromHours(-1) })
        {
            var run = new ScriptedSamples(PlateStrip);
            run.Sample(0.5, 0, Second);
            run.Sample(-0.05, -Milliamp, Second);
            run.Wall += jump; // an operator or NTP sets the date; the monotonic clock goes on
            run.Sample(-0.05, -Milliamp, Second);
            run.Sample(-0.05, -Milliamp, Second);

            Assert.Equal(3 * Milliamp, run.Engine.State.StepAmpSeconds, 15);
            Assert.Equal(3.0, run.Engine.State.TestSeconds, 12);
            Assert.Equal(RunState.Running, run.Engine.State.State);
        }
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(7.0)]
    [InlineData(30.0)]
    [InlineData(700.0)]
    public void A_capacity_step_lands_on_its_target_whatever_the_sample_period(double periodSeconds)
    {
        var period = TimeSpan.FromSeconds(periodSeconds);
        var run = new ScriptedSamples(PlateStrip);
        var amperes = -Milliamp;
        run.Sample(0.5, 0, period);
        for (var i = 0; i < 10_000 && run.Engine.StepText!.StartsWith("Plate", StringComparison.Ordinal); i++)
        {
            // The simulated instrument sources what it was last told.
            var command = run.Sample(-0.05, amperes, period);
            if (command.Kind == EngineCommandKind.SourceCurrent)
            {
                amperes = command.Current.Amperes;
            }
        }

        // 1 mAh = 3.6 A·s; the old engine ended on the first sample past it (up to one period's charge over).
        Assert.InRange(Math.Abs(run.Engine.State.CycleChargeAmpSeconds / 3.6 - 1), 0, 1e-9);
    }
}
