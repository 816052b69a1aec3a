using Rig.Drivers.Heaters.Simulated;

namespace Rig.Service.Configuration;

/// <summary>A heater zone: one temperature sensor and one heater output warming one or more cells.</summary>
public sealed class HeaterZoneOptions
{
    public HeaterZoneKind Kind { get; set; } = HeaterZoneKind.Simulated;

    /// <summary>Target temperature, °C (the paper's full cell: 40).</summary>
    public double SetpointCelsius { get; set; } = 40;

    /// <summary>Above this the heater is cut off and the fault latched, °C.</summary>
    public double MaxCelsius { get; set; } = 60;

    /// <summary>Physics of the simulated heated block, used when Kind is Simulated.</summary>
    public ThermalPlantParameters Simulation { get; set; } = new();

    /// <summary>How often the zone's control loop reads the sensor and updates the heater.</summary>
    public TimeSpan ControlPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Ceiling on the heater duty, 0..1 (Klipper max_power).</summary>
    public double MaxPowerFraction { get; set; } = 1.0;

    public PidGainsOptions Pid { get; set; } = new();

    public ThermalSafetyOptions Safety { get; set; } = new();

    public RelayAutotuneOptions Autotune { get; set; } = new();

    /// <summary>The sensor, when Kind is Hardware.</summary>
    public TemperatureSensorOptions Sensor { get; set; } = new();

    /// <summary>The heater output, when Kind is Hardware.</summary>
    public HeaterOutputOptions Output { get; set; } = new();

    /// <summary>
    /// A second, independent over-temperature input: the block's thermal cut-out switch on a GPIO pin. Null: none
    /// fitted. Its opening trips the zone (<c>CutOut</c>) whatever the temperature sensor reads.
    /// </summary>
    public ThermalCutOutOptions? CutOut { get; set; }
}

/// <summary>
/// A normally-closed bimetal thermal cut-out on the heated block, read on a GPIO input (hardware/README.md: a second
/// switch beside the one in series with the heater, to ground with the pull-up on, so an open switch or a cut wire
/// reads high).
/// </summary>
public sealed class ThermalCutOutOptions
{
    /// <summary>Gpio on a real rig; Simulated opens at <see cref="SimulatedOpenCelsius"/> of the simulated block.</summary>
    public ThermalCutOutKind Kind { get; set; } = ThermalCutOutKind.Gpio;

    /// <summary>BCM GPIO number.</summary>
    public int GpioPin { get; set; } = 22;

    /// <summary>True when a high level means "open" (NC switch to ground with the pull-up on: true).</summary>
    public bool ActiveHigh { get; set; } = true;

    /// <summary>The simulated switch's rating, °C (hardware/bom.md: a 65 °C KSD301, above MaxCelsius).</summary>
    public double SimulatedOpenCelsius { get; set; } = 65;
}

public enum ThermalCutOutKind
{
    Gpio,
    Simulated,
}

/// <summary>The e-stop input: a normally-closed loop on a GPIO pin.</summary>
public sealed class EmergencyStopOptions
{
    public EmergencyStopKind Kind { get; set; } = EmergencyStopKind.Simulated;

    /// <summary>BCM GPIO number.</summary>
    public int GpioPin { get; set; } = 26;

    /// <summary>True when a high level means "stop" (NC loop to ground with pull-up: true).</summary>
    public bool ActiveHigh { get; set; } = true;
}

public enum HeaterZoneKind
{
    Simulated,
    /// <summary>A real sensor and output, chosen by Sensor:Kind and Output:Kind.</summary>
    Hardware,
}

public enum EmergencyStopKind
{
    Simulated,
    Gpio,
}
