namespace Rig.Drivers.LoadCells;

/// <summary>
/// The load cell under one clamp, calibrated to force. Every read completes or throws
/// <see cref="Faults.HardwareFaultException"/> within the driver's time-out. Not thread-safe.
/// </summary>
public interface IForceSensor
{
    /// <summary>How the sensor is addressed, for logs and faults.</summary>
    string Device { get; }

    /// <summary>Reads the force on the clamp now.</summary>
    ValueTask<ForceReading> ReadAsync(CancellationToken cancellationToken);
}
