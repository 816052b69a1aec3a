using Rig.Drivers.Faults;
using UnitsNet;
using Binding = Iot.Device.Mcp960x.Mcp960x;

namespace Rig.Drivers.TemperatureSensors.Mcp960x;

/// <summary>
/// A thermocouple on an MCP9600/MCP9601 (I2C), through Iot.Device.Bindings. After each reading the STATUS
/// register (datasheet register 5-6) is read: "input range" (MCP9600) or "open circuit" and "short circuit"
/// (MCP9601) are sensor faults.
/// </summary>
public sealed class Mcp960xTemperatureSensor : ITemperatureSensor, IDisposable
{
    private readonly Binding _binding;
    private readonly OffLoopSensorRead _read;
    private readonly PlausibleTemperatureRange _range;
    private readonly TimeProvider _time;

    public Mcp960xTemperatureSensor(Binding binding, string device, PlausibleTemperatureRange range, TimeSpan timeout, TimeProvider time)
    {
        _binding = binding ?? throw new ArgumentNullException(nameof(binding));
        Device = device;
        _range = range;
        _time = time;
        _read = new OffLoopSensorRead(device, timeout, time, "the MCP960x's I2C wiring, address and supply");
    }

    public string Device { get; }

    public async ValueTask<TemperatureReading> ReadAsync(CancellationToken cancellationToken)
    {
        var (temperature, openOrRange, shorted) = await _read.RunAsync(ReadWithStatus, cancellationToken);
        if (openOrRange || shorted)
        {
            throw new HardwareFaultException(new HardwareFault(
                FaultKind.SensorFault, Device,
                shorted ? "status: short circuit" : "status: open circuit or input out of range",
                "the thermocouple's junction and leads at the MCP960x"));
        }
        return _range.Check(new TemperatureReading(_time.GetUtcNow(), temperature), Device, "the thermocouple type in the configuration");
    }

    public void Dispose() => _binding.Dispose();

    private (Temperature Temperature, bool OpenOrRange, bool Shorted) ReadWithStatus()
    {
        var temperature = _binding.GetTemperature();
        _binding.ReadStatus(out _, out _, out var shorted, out var openOrRange, out _, out _, out _, out _);
        return (temperature, openOrRange, shorted);
    }
}
