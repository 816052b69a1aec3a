namespace Rig.Drivers.TemperatureSensors;

/// <summary>
/// A temperature sensor on a heater zone. A read completes or throws <see cref="Faults.HardwareFaultException"/>
/// (open or shorted probe, no answer) within the driver's time-out. Not thread-safe.
/// </summary>
public interface ITemperatureSensor
{
    string Device { get; }

    ValueTask<TemperatureReading> ReadAsync(CancellationToken cancellationToken);
}
