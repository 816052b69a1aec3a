using Rig.Drivers.Cells;
using Rig.Drivers.Faults;
using Rig.Drivers.TemperatureSensors;
using Rig.Drivers.TemperatureSensors.Simulated;
using UnitsNet;

namespace Rig.Drivers.Heaters.Simulated;

/// <summary>
/// A heater zone's physics: one lumped thermal mass with a heater, a loss to ambient, and a lagging sensor,
/// integrated along the rig clock. <see cref="Heater"/> and <see cref="Sensor"/> are its two devices. Faults
/// for tests: <see cref="HeaterDisconnected"/>, <see cref="SensorOpen"/>, <see cref="AmbientLossMultiplier"/>
/// (a door opened), <see cref="StuckOnDuty"/> (a welded SSR: runaway).
/// </summary>
public sealed class SimulatedThermalZone
{
    private readonly ThermalPlantParameters _parameters;
    private readonly TimeProvider _time;
    private readonly MeasurementNoise _noise;
    private DateTimeOffset _advancedTo;
    private double _blockCelsius;
    private double _sensorCelsius;
    private double _duty;

    public SimulatedThermalZone(ThermalPlantParameters parameters, TimeProvider time, string name, int seed = 3)
    {
        _parameters = parameters ?? throw new ArgumentNullException(nameof(parameters));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _noise = new MeasurementNoise(seed);
        _advancedTo = time.GetUtcNow();
        _blockCelsius = parameters.AmbientCelsius;
        _sensorCelsius = parameters.AmbientCelsius;
        Name = name;
        Heater = new SimulatedHeaterOutput(this);
        Sensor = new SimulatedTemperatureSensor(this);
    }

    public string Name { get; }

    public IHeaterOutput Heater { get; }

    public ITemperatureSensor Sensor { get; }

    /// <summary>The heater's wire is cut: commanded duty produces no heat.</summary>
    public bool HeaterDisconnected { get; set; }

    /// <summary>The RTD is open: the sensor reports a fault.</summary>
    public bool SensorOpen { get; set; }

    /// <summary>Multiplies the loss to ambient (2 = door open).</summary>
    public double AmbientLossMultiplier { get; set; } = 1.0;

    /// <summary>
    /// When set, the sensor answers this value with fresh timestamps whatever the block does (a hung converter
    /// repeating its last conversion); <see cref="FrozenNoiseKelvin"/> adds noise to it (a probe that stopped
    /// following the block but whose front end still shows noise).
    /// </summary>
    public Temperature? FrozenReading { get; set; }

    /// <summary>Standard deviation of noise added to a <see cref="FrozenReading"/>, K (0: bit-identical values).</summary>
    public double FrozenNoiseKelvin { get; set; }

    /// <summary>When set, the heater delivers this duty whatever is commanded (a welded SSR).</summary>
    public double? StuckOnDuty { get; set; }

    /// <summary>The block's true temperature now (what the cell sees).</summary>
    public Temperature BlockTemperature
    {
        get
        {
            AdvanceToNow();
            return Temperature.FromDegreesCelsius(_blockCelsius);
        }
    }

    /// <summary>Steady-state block temperature for a duty: T_ambient + P·duty·R/multiplier.</summary>
    public Temperature SteadyStateFor(double duty) => Temperature.FromDegreesCelsius(
        _parameters.AmbientCelsius + _parameters.HeaterPowerWatts * duty * _parameters.ThermalResistanceKelvinPerWatt / AmbientLossMultiplier);

    internal double CommandedDuty => _duty;

    internal void Command(double duty)
    {
        AdvanceToNow();
        _duty = duty;
    }

    internal TemperatureReading ReadSensor()
    {
        AdvanceToNow();
        if (SensorOpen)
        {
            throw new HardwareFaultException(new HardwareFault(
                FaultKind.SensorFault, Sensor.Device, "RTD open (fault status 0x80: RTD high threshold)",
                "the PT100's wires at the MAX31865 terminals"));
        }
        if (FrozenReading is { } frozen)
        {
            return new TemperatureReading(_time.GetUtcNow(), Temperature.FromDegreesCelsius(
                frozen.DegreesCelsius + (FrozenNoiseKelvin > 0 ? _noise.Gaussian(FrozenNoiseKelvin) : 0)));
        }
        return new TemperatureReading(
            _time.GetUtcNow(),
            Temperature.FromDegreesCelsius(_sensorCelsius + _noise.Gaussian(_parameters.SensorNoiseCelsius)));
    }

    private void AdvanceToNow()
    {
        var now = _time.GetUtcNow();
        var maxStep = _parameters.IntegrationStepSeconds;
        while (_advancedTo < now)
        {
            var dt = Math.Min((now - _advancedTo).TotalSeconds, maxStep);
            var effectiveDuty = StuckOnDuty ?? (HeaterDisconnected ? 0.0 : _duty);
            var heatIn = _parameters.HeaterPowerWatts * effectiveDuty;
            var heatOut = (_blockCelsius - _parameters.AmbientCelsius) / _parameters.ThermalResistanceKelvinPerWatt * AmbientLossMultiplier;
            _blockCelsius += (heatIn - heatOut) * dt / _parameters.HeatCapacityJoulesPerKelvin;
            _sensorCelsius += (_blockCelsius - _sensorCelsius) * Math.Min(1.0, dt / _parameters.SensorTimeConstantSeconds);
            _advancedTo = _advancedTo.AddTicks((long)Math.Round(dt * TimeSpan.TicksPerSecond));
            if (dt < maxStep)
            {
                _advancedTo = now; // rounding must not leave a sub-tick remainder that loops forever
            }
        }
    }
}
