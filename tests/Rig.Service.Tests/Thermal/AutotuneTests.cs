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

        Assert.True(rig.Controller.AcceptAutotune().Accepted);
        Assert.Equal(proposal.Gains, rig.Controller.Status().Gains);
        Assert.False(rig.Controller.AcceptAutotune().Accepted); // used up
        await rig.RunAsync(TimeSpan.FromMinutes(30));
        Assert.InRange(rig.Plant.BlockTemperature.DegreesCelsius, 39.8, 40.2);
        Assert.Null(rig.Controller.Status().Fault);
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
