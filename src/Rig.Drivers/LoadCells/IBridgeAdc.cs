namespace Rig.Drivers.LoadCells;

/// <summary>
/// The ADC behind a load cell's Wheatstone bridge, before any calibration: raw counts with their timestamp.
/// A calibrated <see cref="IForceSensor"/> is built on top of it (<see cref="Calibration.CalibratedForceSensor"/>).
/// Every read completes or throws <see cref="Faults.HardwareFaultException"/> within the driver's time-out. Not thread-safe.
/// </summary>
public interface IBridgeAdc
{
    /// <summary>How the ADC is addressed, for logs and faults (e.g. "nau7802@i2c-1/mux0x70/ch2").</summary>
    string Device { get; }

    /// <summary>
    /// Counts the ADC reports for a bridge output of 1 mV/V (ratiometric: excitation = reference). With the load
    /// cell's rated output this gives the nominal sensitivity the calibration is checked against.
    /// </summary>
    double CountsPerMillivoltPerVolt { get; }

    /// <summary>Waits for the next conversion and returns it.</summary>
    ValueTask<RawBridgeReading> ReadAsync(CancellationToken cancellationToken);
}

/// <summary>One conversion of a bridge ADC.</summary>
/// <param name="Timestamp">When the result was read (rig clock).</param>
/// <param name="RawCounts">Signed result, sign-extended to 32 bits.</param>
public readonly record struct RawBridgeReading(DateTimeOffset Timestamp, int RawCounts);
