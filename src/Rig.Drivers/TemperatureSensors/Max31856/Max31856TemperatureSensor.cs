using System.Device.Spi;
using Rig.Drivers.Faults;
using UnitsNet;
using Binding = Iot.Device.Max31856.Max31856;

namespace Rig.Drivers.TemperatureSensors.Max31856;

/// <summary>
/// A thermocouple on a MAX31856 (SPI), through Iot.Device.Bindings. The 4.2 binding exposes no fault register, so
/// when given the binding's <see cref="SpiDevice"/> the driver reads the fault status register (SR, 0x0F) itself after
/// each temperature: an open thermocouple stops conversions and leaves a stale or 0 °C reading that the plausible
/// range cannot catch. The range check stays as a second line.
/// </summary>
public sealed class Max31856TemperatureSensor : ITemperatureSensor, IDisposable
{
    /// <summary>Fault status register address (datasheet Table 6); read address = register, write = register | 0x80.</summary>
    private const byte FaultStatusRegister = 0x0F;

    private readonly Binding _binding;
    private readonly SpiDevice? _spi;
    private readonly OffLoopSensorRead _read;
    private readonly PlausibleTemperatureRange _range;
    private readonly TimeProvider _time;

    public Max31856TemperatureSensor(Binding binding, string device, PlausibleTemperatureRange range, TimeSpan timeout, TimeProvider time, SpiDevice? faultStatusSpi = null)
    {
        _binding = binding ?? throw new ArgumentNullException(nameof(binding));
        _spi = faultStatusSpi;
        Device = device;
        _range = range;
        _time = time;
        _read = new OffLoopSensorRead(device, timeout, time, "the MAX31856's SPI wiring and 3.3 V supply");
    }

    public string Device { get; }

    public async ValueTask<TemperatureReading> ReadAsync(CancellationToken cancellationToken)
    {
        var (temperature, status) = await _read.RunAsync(ReadOnce, cancellationToken);
        if (status != 0)
        {
            throw new HardwareFaultException(new HardwareFault(FaultKind.SensorFault, Device,
                $"fault status 0x{status:X2}: {string.Join(", ", Max31856FaultBits.Describe(status))}",
                "the thermocouple's junction, its connector and its leads to T+/T- (an open or shorted thermocouple sets OPEN/OVUV)"));
        }
        return _range.Check(new TemperatureReading(_time.GetUtcNow(), temperature), Device,
            "the thermocouple's junction and its polarity at the MAX31856 (an open thermocouple reads out of range)");
    }

    public void Dispose() => _binding.Dispose();

    /// <summary>
    /// The 4.2 binding decodes LTCB (19-bit two's complement, datasheet "Linearized TC Temperature") as sign and
    /// magnitude: for a negative code it returns -(code &amp; 7FFFFFh) / 4096, e.g. -2035.5 °C for -12.5 °C. The true
    /// value is (code - 2^24) / 4096 = -(binding's value) - 2048 °C.
    /// </summary>
    public static Temperature CorrectBindingSign(Temperature fromBinding)
    {
        var celsius = fromBinding.DegreesCelsius;
        return double.IsNegative(celsius) ? Temperature.FromDegreesCelsius(-celsius - 2048) : fromBinding;
    }

    private (Temperature Temperature, byte Status) ReadOnce()
    {
        var temperature = CorrectBindingSign(_binding.GetTemperature());
        if (_spi is null)
        {
            return (temperature, 0);
        }
        Span<byte> write = [FaultStatusRegister, 0];
        Span<byte> read = stackalloc byte[2];
        _spi.TransferFullDuplex(write, read);
        return (temperature, read[1]);
    }
}
