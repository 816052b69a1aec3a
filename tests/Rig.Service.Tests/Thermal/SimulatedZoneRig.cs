using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Rig.Drivers.DigitalInputs;
using Rig.Drivers.Heaters.Simulated;
using Rig.Drivers.TemperatureSensors;
using Rig.Service.Channels;
using Rig.Service.Configuration;
using Rig.Service.Control;
using Rig.Service.Hardware;
using Rig.Service.Thermal;

namespace Rig.Service.Tests.Thermal;

/// <summary>One heater zone controller on the simulated die block, on a virtual clock, serving channels ch1 and ch2.</summary>
internal sealed class SimulatedZoneRig : IDisposable
{
    public const string ZoneId = "die-block";

    public SimulatedZoneRig(HeaterZoneOptions? options = null, Func<SimulatedThermalZone, ITemperatureSensor>? sensor = null, Func<SimulatedThermalZone, IDigitalInput>? cutOut = null)
    {
        Options = options ?? new HeaterZoneOptions();
        Plant = new SimulatedThermalZone(Options.Simulation, Time, ZoneId);
        Events = new RigEvents(NullLogger<RigEvents>.Instance);
        var channels = new Dictionary<string, IReadOnlyList<string>> { [ZoneId] = ["ch1", "ch2"] };
        var reaction = new ZoneFaultReaction(Events, State, Time, channels,
            NullLogger<ZoneFaultReaction>.Instance);
        var hardware = new HeaterZoneHardware(ZoneId, Options, sensor?.Invoke(Plant) ?? Plant.Sensor, Plant.Heater, cutOut?.Invoke(Plant));
        Controller = new HeaterZoneController(hardware, State, reaction, Time, TimeSpan.FromSeconds(3), NullLogger.Instance);
        Controller.StartWatching();
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero));

    public HeaterZoneOptions Options { get; }

    public SimulatedThermalZone Plant { get; }

    public RigState State { get; } = new();

    public RigEvents Events { get; }

    public HeaterZoneController Controller { get; }

    /// <summary>Runs the loop once per control period for <paramref name="duration"/>; <paramref name="each"/> sees every tick.</summary>
    public async Task RunAsync(TimeSpan duration, Action? each = null)
    {
        var end = Time.GetUtcNow() + duration;
        while (Time.GetUtcNow() < end)
        {
            Time.Advance(Options.ControlPeriod);
            await Controller.TickAsync(CancellationToken.None);
            each?.Invoke();
        }
    }

    public void Dispose() => Controller.Dispose();
}
