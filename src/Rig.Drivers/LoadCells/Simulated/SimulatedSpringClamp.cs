using Rig.Drivers.Cells;
using Rig.Drivers.Faults;
using UnitsNet;

namespace Rig.Drivers.LoadCells.Simulated;

/// <summary>
/// A spring clamp with its load cell: force = preload + spring rate x stack growth + drift, plus noise.
/// The stack growth comes from the simulated cell (plated sodium), so pressure moves as the cell cycles.
/// </summary>
public sealed class SimulatedSpringClamp : IForceSensor
{
    private readonly SpringClampParameters _parameters;
    private readonly TimeProvider _time;
    private readonly Func<Length> _stackGrowth;
    private readonly MeasurementNoise _noise;
    private readonly DateTimeOffset _assembledAt;

    public SimulatedSpringClamp(SpringClampParameters parameters, TimeProvider time, Func<Length> stackGrowth, string device, int seed = 2)
    {
        _parameters = parameters ?? throw new ArgumentNullException(nameof(parameters));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _stackGrowth = stackGrowth ?? throw new ArgumentNullException(nameof(stackGrowth));
        _noise = new MeasurementNoise(seed);
        _assembledAt = time.GetUtcNow();
        Device = device;
    }

    public string Device { get; }

    /// <summary>Makes reads fail as an unplugged load cell would.</summary>
    public bool Disconnected { get; set; }

    /// <summary>Extra force added from outside (an operator tightening the clamp, a test's disturbance), N.</summary>
    public Force ExternalForce { get; set; } = Force.Zero;

    /// <summary>The force without noise: what the physics says now.</summary>
    public Force TrueForce
    {
        get
        {
            var hours = (_time.GetUtcNow() - _assembledAt).TotalHours;
            return Force.FromNewtons(
                _parameters.PreloadNewtons
                + _parameters.SpringRateNewtonsPerMicrometre * _stackGrowth().Micrometers
                + _parameters.DriftNewtonsPerHour * hours
                + ExternalForce.Newtons);
        }
    }

    public ValueTask<ForceReading> ReadAsync(CancellationToken cancellationToken)
    {
        if (Disconnected)
        {
            throw new HardwareFaultException(new HardwareFault(
                FaultKind.DeviceNotResponding, Device, "load cell ADC does not answer", "the clamp's load-cell cable and I2C wiring"));
        }
        var newtons = TrueForce.Newtons + _noise.Gaussian(_parameters.NoiseNewtons);
        var counts = (int)Math.Round(_parameters.ZeroCounts + newtons * _parameters.CountsPerNewton);
        return ValueTask.FromResult(new ForceReading(_time.GetUtcNow(), Force.FromNewtons(newtons), counts));
    }
}
