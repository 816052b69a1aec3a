using Rig.Service.Thermal;
using Xunit.Abstractions;

namespace Rig.Service.Tests.Thermal;

public sealed class AutotuneTests
{
    private readonly ITestOutputHelper _output;

    public AutotuneTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task Relay_autotune_proposes_gains_the_operator_accepts_and_they_then_hold_40_C()
    {
        using var rig = new SimulatedZoneRig();
        await rig.RunAsync(TimeSpan.FromMinutes(15));
        var before = rig.Controller.Status().Gains;

        Assert.True(rig.Controller.StartAutotune().Accepted);
        Assert.False(rig.Controller.StartAutotune().Accepted);
        var maxDuty = 0.0;
        await rig.RunAsync(TimeSpan.FromHours(2.5), () =>
        {
            if (rig.Controller.Status().Mode == HeaterZoneMode.Autotuning)
            {
                maxDuty = Math.Max(maxDuty, rig.Plant.Heater.Duty.DecimalFractions);
            }
        });
        var status = rig.Controller.Status();
        Assert.Equal(HeaterZoneMode.Regulating, status.Mode);
        var proposal = Assert.IsType<AutotuneProposal>(status.Proposal);
        _output.WriteLine($"{proposal}");
        Assert.Equal(1.0, maxDuty); // the relay runs at full power
        Assert.Equal(before, status.Gains); // proposed, not applied
        Assert.InRange(proposal.AmplitudeKelvin, 0.5, 5);
        Assert.InRange(proposal.UltimatePeriod, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(20));
        // the block as the relay saw it: 20 W into 150 J/K is 0.133 K/s (the probe's lag rounds the extremes), 4 s probe
        Assert.InRange(proposal.Model.KelvinPerSecondPerDuty, 0.09, 0.15);
        Assert.InRange(proposal.Model.Lag, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(6));
        Assert.Equal(RelayAutotune.GainsFor(proposal.Model), proposal.Gains);

        Assert.True(rig.Controller.AcceptAutotune().Accepted);
        Assert.Equal(proposal.Gains, rig.Controller.Status().Gains);
        Assert.False(rig.Controller.AcceptAutotune().Accepted); // used up
        await rig.RunAsync(TimeSpan.FromMinutes(30));
        Assert.InRange(rig.Plant.BlockTemperature.DegreesCelsius, 39.8, 40.2);
        Assert.Null(rig.Controller.Status().Fault);
    }

    [Theory]
    [InlineData(0.1, 4.0, 0.0)]
    [InlineData(0.07, 9.0, 1.0)]
    [InlineData(0.25, 0.5, 3.0)]
    public void The_proposed_gains_are_simc_for_the_identified_model(double k, double lagSeconds, double deadTimeSeconds)
    {
        var gains = RelayAutotune.GainsFor(new IntegratingProcess(k, TimeSpan.FromSeconds(deadTimeSeconds), TimeSpan.FromSeconds(lagSeconds)));

        // series PID: theta = max(d, 2 s), tc = max(lag, theta), Kc = 1/(k(tc+theta)), Ti = 4(tc+theta), Td = lag
        var theta = Math.Max(deadTimeSeconds, 2);
        var tc = Math.Max(lagSeconds, theta);
        var kc = 1 / (k * (tc + theta));
        var ti = 4 * (tc + theta);
        Assert.Equal(kc * (1 + lagSeconds / ti), gains.ProportionalPerKelvin, 9);
        Assert.Equal(gains.ProportionalPerKelvin / (ti + lagSeconds), gains.IntegralPerKelvinSecond, 9);
        Assert.Equal(gains.ProportionalPerKelvin * ti * lagSeconds / (ti + lagSeconds), gains.DerivativeSecondsPerKelvin, 9);
    }

    [Fact]
    public async Task A_fault_during_autotune_ends_it_with_the_heater_off_and_nothing_proposed()
    {
        using var rig = new SimulatedZoneRig();
        rig.Controller.StartAutotune();
        await rig.RunAsync(TimeSpan.FromMinutes(2));

        rig.Plant.SensorOpen = true;
        await rig.RunAsync(TimeSpan.FromSeconds(2));

        var status = rig.Controller.Status();
        Assert.Equal(HeaterZoneMode.Faulted, status.Mode);
        Assert.Null(status.Proposal);
        Assert.Equal(0, rig.Plant.Heater.Duty.DecimalFractions);
        Assert.False(rig.Controller.StartAutotune().Accepted);
    }
}
