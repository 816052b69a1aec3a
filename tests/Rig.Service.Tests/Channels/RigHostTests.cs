using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Rig.Service.Channels;
using Rig.Service.Composition;
using Rig.Service.Hardware;
using Rig.Service.Tests.Support;
using UnitsNet;

namespace Rig.Service.Tests.Channels;

public class RigHostTests
{
    [Fact]
    public async Task The_composed_service_samples_every_channel_and_leaves_outputs_and_heaters_off_when_stopped()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var settings = new Dictionary<string, string?>(TestRig.DefaultSettings)
        {
            ["Rig:SamplePeriod"] = "00:00:00.050",
            ["Rig:ReadoutPeriod"] = "00:00:00",
            ["Rig:StateDirectory"] = TestScratch.NewStateDirectory(),
        };
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddRig(builder.Configuration);
        using var host = builder.Build();
        var state = host.Services.GetRequiredService<RigState>();
        var hardware = host.Services.GetRequiredService<RigHardware>();

        await host.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!(state.Channels.Count == 2 && state.Channels.Values.All(c => c.Latest is not null)))
        {
            await Task.Delay(20, timeout.Token);
        }
        foreach (var instrument in hardware.Simulation.Instruments.Values)
        {
            await instrument.SourceCurrentAsync(ElectricCurrent.FromMilliamperes(0.1), ElectricPotential.FromVolts(4), CancellationToken.None);
        }
        hardware.Zones["zone-a"].Heater.SetDuty(Ratio.FromDecimalFractions(0.5));
        await host.StopAsync();

        Assert.All(state.Channels.Values, c => Assert.InRange(c.Latest!.Value.StackPressure!.Value.Megapascals, 9.5, 10.5));
        Assert.All(hardware.Simulation.Instruments.Values, i => Assert.False(i.OutputOn));
        Assert.Equal(0, hardware.Zones["zone-a"].Heater.Duty.DecimalFractions);
    }
}
