using Rig.Drivers.Heaters.Simulated;

namespace Rig.Drivers.TemperatureSensors.Simulated;

/// <summary>The lagging, noisy sensor of a <see cref="SimulatedThermalZone"/>.</summary>
public sealed class SimulatedTemperatureSensor : ITemperatureSensor
{
    private readonly SimulatedThermalZone _zone;

    internal SimulatedTemperatureSensor(SimulatedThermalZone zone)
    {
        _zone = zone;
    }

    public string Device => $"sim-pt100:{_zone.Name}";

    public ValueTask<TemperatureReading> ReadAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(_zone.ReadSensor());
}
