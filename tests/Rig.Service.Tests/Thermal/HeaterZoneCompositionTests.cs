using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Rig.Service.Composition;
using Rig.Service.Thermal;

namespace Rig.Service.Tests.Thermal;

public sealed class HeaterZoneCompositionTests
{
    [Fact]
    public async Task AddRig_exposes_each_configured_zone_with_its_configured_setpoint_and_gains()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Rig:HeaterZones:die-block:SetpointCelsius"] = "38",
            ["Rig:HeaterZones:die-block:Pid:ProportionalPerKelvin"] = "0.25",
            ["Rig:Channels:ch1:Cell:Name"] = "HC-Al-pellet-01",
            ["Rig:Channels:ch1:HeaterZone"] = "die-block",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddRig(configuration);
        await using var provider = services.BuildServiceProvider();

        var zone = Assert.Single(provider.GetRequiredService<IHeaterZoneControl>().Status());

        Assert.Equal("die-block", zone.ZoneId);
        Assert.Equal(38, zone.Setpoint.DegreesCelsius);
        Assert.Equal(0.25, zone.Gains.ProportionalPerKelvin);
        Assert.Contains(provider.GetServices<IHostedService>(), s => s.GetType().Name == "RigWorker");
    }
}
