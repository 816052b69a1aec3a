using Rig.Service.Control;
using Rig.Service.Engine;
using Rig.Service.Interlocks;
using UnitsNet;

namespace Rig.Service.Tests.Interlocks;

/// <summary>
/// Issue 14: a protocol's own stack-pressure limits hold the channel exactly as the supervisor's window does: a
/// PressureOutOfWindow interlock from "protocol limit", resume refused with that reason until the pressure is back
/// within the limits. The supervisor's window is widened here so only the protocol's limits are crossed.
/// </summary>
public sealed class ProtocolPressureLimitTests
{
    private static readonly Dictionary<string, string?> WideSupervisorWindow = new()
    {
        ["Rig:Channels:ch1:Pressure:WindowMegapascals"] = "4",
        ["Rig:Channels:ch1:Pressure:FaultMegapascals"] = "6",
    };

    [Fact]
    public async Task A_protocol_pressure_limit_raises_the_pressure_interlock_and_resume_is_refused_until_the_pressure_is_back()
    {
        using var rig = new InterlockRig(WideSupervisorWindow);
        Assert.True((await StartNarrowAsync(rig)).Accepted);
        await rig.RunAsync(TimeSpan.FromMinutes(1));
        Assert.True(rig.OutputOn("ch1"));

        rig.Rig.Hardware.Simulation.Clamps["ch1"].ExternalForce = Force.FromNewtons(190); // about +2.4 MPa on 0.785 cm²: ~12.4 MPa
        await rig.RunAsync(TimeSpan.FromSeconds(3));

        Assert.False(rig.OutputOn("ch1"));
        Assert.Equal(RunState.Paused, rig.RunState("ch1"));
        var held = Assert.Single(rig.Held("ch1"));
        Assert.Equal(InterlockKind.PressureOutOfWindow, held.Kind);
        Assert.Equal(EngineHost.ProtocolLimitSource, held.Source);
        Assert.Contains("9 to 11 MPa", held.Reason);
        Assert.Contains(rig.Raised, e => e.Source == "ch1" && e.Code == "interlock.raised" && e.Message.Contains("protocol limit", StringComparison.Ordinal));
        var refused = await rig.Engine.ResumeAsync("ch1", CancellationToken.None);
        Assert.False(refused.Accepted);
        Assert.Contains("PressureOutOfWindow (protocol limit", refused.Message);
        Assert.Contains("back in its window", refused.Message);
        await rig.RunAsync(TimeSpan.FromSeconds(5));
        Assert.False(rig.OutputOn("ch1"));
        Assert.NotEmpty(rig.Held("ch1"));

        rig.Rig.Hardware.Simulation.Clamps["ch1"].ExternalForce = Force.Zero;
        await rig.RunAsync(TimeSpan.FromSeconds(2));

        Assert.Empty(rig.Held("ch1"));
        Assert.Contains(rig.Raised, e => e.Source == "ch1" && e.Code == "interlock.cleared" && e.Message.Contains("back within the protocol's limits", StringComparison.Ordinal));
        Assert.Equal(RunState.Paused, rig.RunState("ch1")); // back in the window resumes nothing by itself
        Assert.True((await rig.Engine.ResumeAsync("ch1", CancellationToken.None)).Accepted);
        await rig.RunAsync(TimeSpan.FromSeconds(3));
        Assert.True(rig.OutputOn("ch1"));
    }

    [Fact]
    public async Task The_protocol_limit_interlock_goes_with_its_test_an_abort_clears_it_and_a_new_test_may_start()
    {
        using var rig = new InterlockRig(WideSupervisorWindow);
        Assert.True((await StartNarrowAsync(rig)).Accepted);
        await rig.RunAsync(TimeSpan.FromMinutes(1));
        rig.Rig.Hardware.Simulation.Clamps["ch1"].ExternalForce = Force.FromNewtons(190);
        await rig.RunAsync(TimeSpan.FromSeconds(3));
        Assert.Contains(rig.Held("ch1"), i => i.Source == EngineHost.ProtocolLimitSource);

        Assert.True((await rig.Engine.AbortAsync("ch1", "operator", CancellationToken.None)).Accepted);
        await rig.RunAsync(TimeSpan.FromSeconds(2));

        Assert.Empty(rig.Held("ch1"));
        Assert.True((await rig.StartAsync("ch1")).Accepted, "the shipped preset's own limits (5 to 15 MPa) hold 12.4 MPa");
    }

    private static Task<CommandResult> StartNarrowAsync(InterlockRig rig)
    {
        var text = rig.Engine.Presets.Text("plating-stripping-1mAh")!;
        Assert.Contains("\"stackPressure\": \"5 MPa to 15 MPa\"", text);
        return rig.Engine.StartAsync(new StartTestRequest("ch1", null, text.Replace("5 MPa to 15 MPa", "9 MPa to 11 MPa", StringComparison.Ordinal)), CancellationToken.None);
    }
}
