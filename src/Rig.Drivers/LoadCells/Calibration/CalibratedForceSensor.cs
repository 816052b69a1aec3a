using Rig.Drivers.Faults;

namespace Rig.Drivers.LoadCells.Calibration;

/// <summary>
/// A load cell as the service sees it: an <see cref="IBridgeAdc"/> plus the clamp's current calibration. The same
/// path serves the NAU7802, the HX711, the ADS1115 and the simulated clamp, so tare and span behave alike on all.
/// </summary>
public sealed class CalibratedForceSensor : IForceSensor, IDisposable
{
    private volatile LoadCellCalibration _calibration;

    public CalibratedForceSensor(IBridgeAdc adc, LoadCellCalibration calibration)
    {
        Adc = adc ?? throw new ArgumentNullException(nameof(adc));
        _calibration = calibration ?? throw new ArgumentNullException(nameof(calibration));
    }

    public IBridgeAdc Adc { get; }

    public string Device => Adc.Device;

    /// <summary>The calibration in use; replaced whole after a tare or span (readers see one or the other).</summary>
    public LoadCellCalibration Calibration
    {
        get => _calibration;
        set => _calibration = value ?? throw new ArgumentNullException(nameof(value));
    }

    public async ValueTask<ForceReading> ReadAsync(CancellationToken cancellationToken)
    {
        var raw = await Adc.ReadAsync(cancellationToken);
        // Every bridge ADC saturates at the ends of its range: a pegged reading is a wiring fault, not a force.
        if (Adc.Rails.IsSaturated(raw.RawCounts))
        {
            throw new HardwareFaultException(new HardwareFault(FaultKind.SensorOutOfRange, Device,
                $"ADC saturated at {raw.RawCounts} counts", "the bridge wiring (an open A+/A- input rails the ADC) and the gain"));
        }
        return new ForceReading(raw.Timestamp, _calibration.ForceAt(raw.RawCounts), raw.RawCounts);
    }

    public void Dispose() => (Adc as IDisposable)?.Dispose();
}
