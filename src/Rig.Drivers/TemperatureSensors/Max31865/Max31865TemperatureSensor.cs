using Rig.Drivers.Faults;
using UnitsNet;
using Binding = Iot.Device.Max31865.Max31865;

namespace Rig.Drivers.TemperatureSensors.Max31865;

/// <summary>
/// A PT100/PT1000 on a MAX31865 (SPI), through Iot.Device.Bindings. Each read runs the binding's one-shot
/// conversion off the control loop (it sleeps ~75 ms), then reads the fault status register: any set bit is a
/// <see cref="FaultKind.SensorFault"/> naming the bit, because the RTD value alongside it is not trustworthy.
/// </summary>
public sealed class Max31865TemperatureSensor : ITemperatureSensor, IDisposable
{
    private const string WhatToCheckDefault = "the MAX31865's SPI wiring, chip select and 3.3 V supply";
    private readonly Binding _binding;
    private readonly OffLoopSensorRead _read;
    private readonly PlausibleTemperatureRange _range;
    private readonly TimeProvider _time;

    public Max31865TemperatureSensor(Binding binding, string device, PlausibleTemperatureRange range, TimeSpan timeout, TimeProvider time)
    {
        _binding = binding ?? throw new ArgumentNullException(nameof(binding));
        Device = device;
        _range = range;
        _time = time;
        _read = new OffLoopSensorRead(device, timeout, time, WhatToCheckDefault);
    }

    public string Device { get; }

    public async ValueTask<TemperatureReading> ReadAsync(CancellationToken cancellationToken)
    {
        var (temperature, faults) = await _read.RunAsync(() => (_binding.Temperature, _binding.Faults), cancellationToken);
        var bits = Max31865FaultBits.Describe(faults);
        if (bits.Count > 0)
        {
            throw new HardwareFaultException(new HardwareFault(
                FaultKind.SensorFault, Device, "fault status: " + string.Join("; ", bits), Max31865FaultBits.WhatToCheck(faults)));
        }
        return _range.Check(new TemperatureReading(_time.GetUtcNow(), temperature), Device, "the RTD type and reference resistor in the configuration");
    }

    public void Dispose() => _binding.Dispose();
}
