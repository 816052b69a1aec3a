using Rig.Drivers.Cells;
using Rig.Service.Engine;

namespace Rig.Service.Tests.Engine;

public class ShortCircuitDetectorTests
{
    [Theory]
    [InlineData(-0.045)]
    [InlineData(-0.21)]
    [InlineData(3.3)]
    public void Healthy_plating_noise_never_trips_it(double plateauVolts)
    {
        var detector = new ShortCircuitDetector();
        var noise = new MeasurementNoise(3);
        for (var i = 0; i < 200_000; i++)
        {
            Assert.False(detector.Observe(plateauVolts + noise.Gaussian(0.0001)));
        }
    }

    [Fact]
    public void A_drop_without_fluctuation_or_fluctuation_without_a_drop_does_not_trip_it()
    {
        var dropOnly = new ShortCircuitDetector();
        var fluctuationOnly = new ShortCircuitDetector();
        var noise = new MeasurementNoise(5);
        for (var i = 0; i < 2000; i++)
        {
            // Nucleation overshoot relaxing from -0.2 V to a -0.05 V plateau: a large, quiet drop.
            Assert.False(dropOnly.Observe((i < 100 ? -0.2 : -0.05) + noise.Gaussian(0.0001)));
            Assert.False(fluctuationOnly.Observe(-0.2 + (i < 100 ? 0 : noise.Gaussian(0.004))));
        }
    }

    [Fact]
    public void The_simulated_short_signature_trips_it_within_a_few_samples()
    {
        var detector = new ShortCircuitDetector();
        var noise = new MeasurementNoise(9);
        for (var i = 0; i < 100; i++)
        {
            Assert.False(detector.Observe(-0.21 + noise.Gaussian(0.0001)));
        }
        var tripped = -1;
        for (var i = 0; i < 20 && tripped < 0; i++)
        {
            if (detector.Observe(-0.0045 + noise.Gaussian(0.004)))
            {
                tripped = i;
            }
        }
        Assert.InRange(tripped, 0, ShortCircuitDetector.RecentSamples);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(5.8)]
    public async Task A_healthy_half_cell_below_its_ccd_runs_without_a_short(double milliampsPerSquareCentimetre)
    {
        var rig = SimulatedRig.HalfCell();
        var current = FormattableString.Invariant($"{milliampsPerSquareCentimetre} mA/cm2");
        var engine = rig.Start(SimulatedRig.Preset("ccd-ramp"), new Dictionary<string, string> { ["start"] = current, ["rise"] = "0 mA/cm2", ["cycles"] = "2" });
        var run = rig.Runner(TimeSpan.FromSeconds(1));

        await run.RunAsync(engine, maxSamples: 1_000_000);

        Assert.Equal(Rig.Service.Control.RunState.Finished, engine.State.State);
        Assert.False(engine.State.ShortDetected);
        Assert.Equal(2, run.Cycles.Count);
    }
}
