using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rig.Drivers.LoadCells.Calibration;
using Rig.Service.Channels;
using Rig.Service.Composition;
using Rig.Service.Hardware;
using Rig.Service.PressureSupervision;

namespace Rig.Service.Tests.PressureSupervision;

public sealed class PressureCompositionTests : IDisposable
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), "rig-compose-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task The_rig_registers_the_pressure_supervisor_as_a_channel_observer_and_reads_clamps_through_calibration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Rig:StateDirectory"] = _state,
            ["Rig:Channels:ch1:Cell:Name"] = "HC-1",
            ["Rig:Channels:ch1:Pressure:TargetMegapascals"] = "10",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddRig(configuration);
        await using var provider = services.BuildServiceProvider();

        var observers = provider.GetServices<IChannelObserver>().ToList();
        var hardware = provider.GetRequiredService<RigHardware>();

        Assert.Single(observers.OfType<PressureSupervisor>());
        Assert.Same(provider.GetRequiredService<PressureSupervisor>(), observers.OfType<PressureSupervisor>().Single());
        var sensor = Assert.IsType<CalibratedForceSensor>(hardware.Channels["ch1"].ForceSensor);
        var reading = await sensor.ReadAsync(CancellationToken.None);
        Assert.InRange(reading.Force.Newtons, 780, 790); // the simulated 785.4 N preload through the nominal calibration
    }

    public void Dispose()
    {
        if (Directory.Exists(_state))
        {
            Directory.Delete(_state, recursive: true);
        }
    }
}
