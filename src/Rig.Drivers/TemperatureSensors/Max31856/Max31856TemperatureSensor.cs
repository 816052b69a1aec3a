using Rig.Drivers.Faults;
using Binding = Iot.Device.Max31856.Max31856;

namespace Rig.Drivers.TemperatureSensors.Max31856;

/// <summary>
/// A thermocouple on a MAX31856 (SPI), through Iot.Device.Bindings. The 4.2 binding exposes no fault register,
/// so an open thermocouple shows up as an implausible reading (the plausible range check) rather than a fault bit.
/// </summary>
public sealed class Max31856TemperatureSensor : ITemperatureSensor, IDisposable
{
    private readonly Binding _binding;
    private readonly OffLoopSensorRead _read;
    private readonly PlausibleTemperatureRange _range;
    private readonly TimeProvider _time;

    public Max31856TemperatureSensor(Binding binding, string device, PlausibleTemperatureRange range, TimeSpan timeout, TimeProvider time)
    {
        _binding = binding ?? throw new ArgumentNullException(nameof(binding));
        Device = device;
        _range = range;
        _time = time;
        _read = new OffLoopSensorRead(device, timeout, time, "the MAX31856's SPI wiring and 3.3 V supply");
    }

    public string Device { get; }

    public async ValueTask<TemperatureReading> ReadAsync(CancellationToken cancellationToken)
    {
        var temperature = await _read.RunAsync(_binding.GetTemperature, cancellationToken);
        return _range.Check(new TemperatureReading(_time.GetUtcNow(), temperature), Device,
            "the thermocouple's junction and its polarity at the MAX31856 (an open thermocouple reads out of range)");
    }

    public void Dispose() => _binding.Dispose();
}
