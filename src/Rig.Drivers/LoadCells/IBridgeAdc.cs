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

    /// <summary>
    /// The codes the ADC saturates at (an open bridge input rails it there). 24-bit ADCs (NAU7802, HX711) by default;
    /// a 16-bit ADS1115 rails at ±2^15.
    /// </summary>
    BridgeAdcRails Rails => BridgeAdcRails.TwentyFourBit;

    /// <summary>Waits for the next conversion and returns it.</summary>
    ValueTask<RawBridgeReading> ReadAsync(CancellationToken cancellationToken);
}

/// <summary>The lowest and highest code a bridge ADC can report: a reading at either is saturated, not a force.</summary>
public readonly record struct BridgeAdcRails(int MinimumCounts, int MaximumCounts)
{
    /// <summary>24-bit two's complement: 800000h .. 7FFFFFh (NAU7802 and HX711 data sheets).</summary>
    public static BridgeAdcRails TwentyFourBit { get; } = new(-0x800000, 0x7FFFFF);

    /// <summary>16-bit two's complement: 8000h .. 7FFFh (ADS1115 data sheet, 8.3.3).</summary>
    public static BridgeAdcRails SixteenBit { get; } = new(short.MinValue, short.MaxValue);

    public bool IsSaturated(double counts) => counts >= MaximumCounts || counts <= MinimumCounts;
}

/// <summary>One conversion of a bridge ADC.</summary>
/// <param name="Timestamp">When the result was read (rig clock).</param>
/// <param name="RawCounts">Signed result, sign-extended to 32 bits.</param>
public readonly record struct RawBridgeReading(DateTimeOffset Timestamp, int RawCounts);
