using Rig.Drivers.DigitalInputs;

namespace Rig.Drivers.Heaters.Simulated;

/// <summary>
/// A normally-closed bimetal thermal cut-out on the simulated block: it opens (active) when the block's true
/// temperature reaches <see cref="OpenCelsius"/>, whatever the zone's sensor reads, and closes again once the block has
/// cooled by <see cref="ResetBandKelvin"/>. <see cref="ForcedOpen"/> lets a test open it (or a cut wire) at any
/// temperature.
/// </summary>
public sealed class SimulatedThermalCutOut : IDigitalInput
{
    private readonly SimulatedThermalZone _zone;
    private readonly Lock _lock = new();
    private bool _open;

    public SimulatedThermalCutOut(SimulatedThermalZone zone, double openCelsius, double resetBandKelvin = 10)
    {
        _zone = zone ?? throw new ArgumentNullException(nameof(zone));
        OpenCelsius = openCelsius;
        ResetBandKelvin = resetBandKelvin;
        Device = $"sim-cutout:{zone.Name}";
    }

    public string Device { get; }

    public double OpenCelsius { get; }

    public double ResetBandKelvin { get; }

    /// <summary>Open whatever the block's temperature (a test's fault injection).</summary>
    public bool ForcedOpen { get; set; }

    public bool IsActive()
    {
        var celsius = _zone.BlockTemperature.DegreesCelsius;
        lock (_lock)
        {
            _open = _open ? celsius > OpenCelsius - ResetBandKelvin : celsius >= OpenCelsius;
            return ForcedOpen || _open;
        }
    }
}
