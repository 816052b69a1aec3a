using Microsoft.Extensions.Time.Testing;
using Rig.Drivers.Faults;
using Rig.Drivers.LoadCells.Simulated;
using UnitsNet;

namespace Rig.Drivers.Tests.LoadCells;

public class SimulatedSpringClampTests
{
    [Fact]
    public void Force_rises_by_spring_rate_times_stack_growth()
    {
        var time = new FakeTimeProvider();
        var growth = Length.Zero;
        var parameters = new SpringClampParameters { NoiseNewtons = 0, DriftNewtonsPerHour = 0, SpringRateNewtonsPerMicrometre = 0.5 };
        var clamp = new SimulatedSpringClamp(parameters, time, () => growth, "clamp");
        var before = clamp.TrueForce;

        growth = Length.FromMicrometers(61.6); // 7 mAh/cm² of sodium

        Assert.Equal(30.8, (clamp.TrueForce - before).Newtons, 6);
    }

    [Fact]
    public async Task Readings_scatter_around_the_true_force_with_the_configured_noise_and_drift_slowly()
    {
        var time = new FakeTimeProvider();
        var parameters = new SpringClampParameters { NoiseNewtons = 0.3, DriftNewtonsPerHour = 0.05 };
        var clamp = new SimulatedSpringClamp(parameters, time, () => Length.Zero, "clamp");

        var readings = new List<double>();
        for (var i = 0; i < 2000; i++)
        {
            readings.Add((await clamp.ReadAsync(CancellationToken.None)).Force.Newtons);
        }
        var mean = readings.Average();
        var sd = Math.Sqrt(readings.Sum(r => (r - mean) * (r - mean)) / readings.Count);
        time.Advance(TimeSpan.FromHours(10));

        Assert.Equal(parameters.PreloadNewtons, mean, 0);
        Assert.InRange(sd, 0.25, 0.35);
        Assert.Equal(parameters.PreloadNewtons + 0.5, clamp.TrueForce.Newtons, 6);
    }

    [Fact]
    public async Task Raw_counts_follow_the_load_cell_sensitivity()
    {
        var time = new FakeTimeProvider();
        var parameters = new SpringClampParameters { NoiseNewtons = 0, DriftNewtonsPerHour = 0, PreloadNewtons = 100, CountsPerNewton = 2000, ZeroCounts = 500 };
        var clamp = new SimulatedSpringClamp(parameters, time, () => Length.Zero, "clamp");

        var reading = await clamp.ReadAsync(CancellationToken.None);

        Assert.Equal(500 + 100 * 2000, reading.RawCounts);
    }

    [Fact]
    public async Task A_disconnected_load_cell_raises_a_typed_fault_naming_the_device()
    {
        var clamp = new SimulatedSpringClamp(new SpringClampParameters(), new FakeTimeProvider(), () => Length.Zero, "sim-loadcell:ch1") { Disconnected = true };

        var fault = await Assert.ThrowsAsync<HardwareFaultException>(() => clamp.ReadAsync(CancellationToken.None).AsTask());

        Assert.Equal(FaultKind.DeviceNotResponding, fault.Kind);
        Assert.Equal("sim-loadcell:ch1", fault.Fault.Device);
    }
}
