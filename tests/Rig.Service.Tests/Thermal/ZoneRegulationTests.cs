using Rig.Service.Thermal;
using UnitsNet;
using Xunit.Abstractions;

namespace Rig.Service.Tests.Thermal;

public sealed class ZoneRegulationTests
{
    private readonly ITestOutputHelper _output;

    public ZoneRegulationTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task Default_gains_bring_the_die_block_from_22_to_40_C_within_a_tenth_of_a_degree_and_overshoot_under_half_a_degree()
    {
        using var rig = new SimulatedZoneRig();
        var peak = double.MinValue;
        var lastOutside = TimeSpan.Zero;
        var elapsed = TimeSpan.Zero;
        await rig.RunAsync(TimeSpan.FromHours(2), () =>
        {
            elapsed += rig.Options.ControlPeriod;
            var block = rig.Plant.BlockTemperature.DegreesCelsius;
            peak = Math.Max(peak, block);
            if (Math.Abs(block - 40) > 0.1)
            {
                lastOutside = elapsed;
            }
        });
        _output.WriteLine($"peak {peak:0.000} °C, last outside ±0.1 °C at {lastOutside}");
        Assert.True(peak - 40 <= 0.5, $"overshoot {peak - 40:0.000} K");
        Assert.True(lastOutside < TimeSpan.FromMinutes(60), $"still outside ±0.1 °C at {lastOutside}");
        Assert.Equal(HeaterZoneMode.Regulating, rig.Controller.Status().Mode);
        Assert.InRange(rig.State.Zone(SimulatedZoneRig.ZoneId)!.Value.Temperature.DegreesCelsius, 39.9, 40.1);
    }
}
