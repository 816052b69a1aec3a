using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rig.Drivers.Faults;
using Rig.Service.Configuration;
using Rig.Service.Tests.Support;
using Rig.Service.Thermal;
using UnitsNet;

namespace Rig.Service.Tests.Thermal;

public class HeaterCommandsTests
{
    [Fact]
    public async Task Set_heater_changes_the_zone_setpoint_and_refuses_one_at_the_cut_off()
    {
        var rig = new TestRig();
        var (commands, zones) = Build(rig);

        var accepted = await commands.SetSetpointAsync("zone-a", Temperature.FromDegreesCelsius(35), CancellationToken.None);
        var refused = await commands.SetSetpointAsync("zone-a", Temperature.FromDegreesCelsius(60), CancellationToken.None);

        Assert.True(accepted.Accepted, accepted.Message);
        Assert.False(refused.Accepted);
        Assert.Equal(35, zones.Status().Single().Setpoint.DegreesCelsius, 6);
    }

    [Fact]
    public async Task Clear_fault_clears_the_channels_recorded_device_faults_and_says_what_it_cleared()
    {
        var rig = new TestRig();
        var (commands, _) = Build(rig);
        rig.State.RecordFault("ch1", new HardwareFault(FaultKind.InstrumentLinkLost, "smu", "lost", "cable", "ch1"));

        var result = await commands.ClearLatchedFaultAsync("ch1", null, CancellationToken.None);
        var again = await commands.ClearLatchedFaultAsync("ch1", null, CancellationToken.None);

        Assert.True(result.Accepted, result.Message);
        Assert.Contains("smu", result.Message, StringComparison.Ordinal);
        Assert.Empty(rig.State.Channel("ch1").Faults);
        Assert.False(again.Accepted);
    }

    [Fact]
    public async Task Clear_fault_on_an_unknown_channel_is_refused()
    {
        var (commands, _) = Build(new TestRig());

        var result = await commands.ClearLatchedFaultAsync("ch9", null, CancellationToken.None);

        Assert.False(result.Accepted);
    }

    private static (HeaterCommands Commands, HeaterZones Zones) Build(TestRig rig)
    {
        var reaction = new ZoneFaultReaction(rig.Events, rig.State, rig.Time, new Dictionary<string, IReadOnlyList<string>>(),
            NullLogger<ZoneFaultReaction>.Instance);
        var zones = new HeaterZones(rig.Hardware, rig.Options, rig.State, reaction, rig.Time, NullLoggerFactory.Instance);
        return (new HeaterCommands(zones, rig.Hardware, rig.State), zones);
    }
}
