namespace Rig.Drivers.LoadCells.Simulated;

/// <summary>
/// The simulated spring clamp seen as its raw ADC, so simulation goes through the same calibration (tare, span,
/// stored file) as real hardware. Its sensitivity per mV/V is chosen so the nominal calibration of a load cell
/// with the given rating is exactly the simulation's CountsPerNewton.
/// </summary>
public sealed class SimulatedClampAdc : IBridgeAdc
{
    private readonly SimulatedSpringClamp _clamp;

    public SimulatedClampAdc(SimulatedSpringClamp clamp, double countsPerMillivoltPerVolt)
    {
        _clamp = clamp ?? throw new ArgumentNullException(nameof(clamp));
        CountsPerMillivoltPerVolt = countsPerMillivoltPerVolt;
    }

    public string Device => _clamp.Device;

    public double CountsPerMillivoltPerVolt { get; }

    public SimulatedSpringClamp Clamp => _clamp;

    public async ValueTask<RawBridgeReading> ReadAsync(CancellationToken cancellationToken)
    {
        var reading = await _clamp.ReadAsync(cancellationToken);
        return new RawBridgeReading(reading.Timestamp, reading.RawCounts);
    }
}
