using System.Globalization;
using Rig.Drivers.Faults;
using UnitsNet;

namespace Rig.Drivers.TemperatureSensors;

/// <summary>
/// The temperatures a zone's sensor can honestly report. Outside it (a shorted RTD reads -242 °C, a
/// disconnected thermocouple amplifier may read full scale) the reading is a <see cref="FaultKind.SensorOutOfRange"/> fault.
/// </summary>
public sealed record PlausibleTemperatureRange(Temperature Minimum, Temperature Maximum)
{
    public static PlausibleTemperatureRange Default { get; } =
        new(Temperature.FromDegreesCelsius(-20), Temperature.FromDegreesCelsius(150));

    /// <summary>Returns the reading if plausible, else throws a sensor fault naming the device.</summary>
    public TemperatureReading Check(TemperatureReading reading, string device, string whatToCheck)
    {
        var celsius = reading.Temperature.DegreesCelsius;
        if (!double.IsFinite(celsius) || celsius < Minimum.DegreesCelsius || celsius > Maximum.DegreesCelsius)
        {
            throw new HardwareFaultException(new HardwareFault(
                FaultKind.SensorOutOfRange,
                device,
                string.Create(CultureInfo.InvariantCulture,
                    $"reading {celsius:0.##} °C is outside {Minimum.DegreesCelsius:0.##}..{Maximum.DegreesCelsius:0.##} °C"),
                whatToCheck));
        }
        return reading;
    }
}
