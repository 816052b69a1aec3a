namespace Rig.Drivers.Heaters.Simulated;

/// <summary>
/// A heated die block: C dT/dt = P·duty - (T - T_ambient)/R, read by a sensor with first-order lag and noise.
/// Defaults: a 20 W pad on ~150 J/K of steel die and clamp, 4 K/W to the room (time constant 10 min,
/// ~3.6 W to hold 40 °C in a 22 °C lab).
/// </summary>
public sealed record ThermalPlantParameters
{
    public double HeaterPowerWatts { get; init; } = 20.0;

    public double HeatCapacityJoulesPerKelvin { get; init; } = 150.0;

    public double ThermalResistanceKelvinPerWatt { get; init; } = 4.0;

    public double AmbientCelsius { get; init; } = 22.0;

    /// <summary>Sensor lag behind the block (probe in a well), s.</summary>
    public double SensorTimeConstantSeconds { get; init; } = 4.0;

    /// <summary>Standard deviation of the sensor reading, °C.</summary>
    public double SensorNoiseCelsius { get; init; } = 0.01;

    /// <summary>Longest integration step, s (well below both time constants).</summary>
    public double IntegrationStepSeconds { get; init; } = 0.25;
}
