using Rig.Drivers.Quantities;
using UnitsNet;

namespace Rig.Drivers.Cells;

/// <summary>
/// A simulated cell under a simulated source: integrates the cell's state along the rig clock
/// (<see cref="TimeProvider"/>) under whatever drive is applied, in sub-steps no longer than
/// <see cref="MaxStep"/>, so a test can run weeks of rig time in seconds and stay deterministic.
/// Not thread-safe: one channel owns it.
/// </summary>
public sealed class SimulatedCell
{
    private readonly TimeProvider _time;
    private readonly Func<Temperature> _temperature;
    private readonly SimulatedCellNoise _noise;
    private readonly MeasurementNoise _random;
    private DateTimeOffset _advancedTo;
    private CellDrive _drive = CellDrive.OpenCircuit;

    public SimulatedCell(
        ICellElectrochemistry chemistry,
        TimeProvider time,
        Func<Temperature> temperature,
        SimulatedCellNoise? noise = null,
        int seed = 1,
        TimeSpan? maxStep = null)
    {
        Chemistry = chemistry ?? throw new ArgumentNullException(nameof(chemistry));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _temperature = temperature ?? throw new ArgumentNullException(nameof(temperature));
        _noise = noise ?? new SimulatedCellNoise();
        _random = new MeasurementNoise(seed);
        MaxStep = maxStep ?? TimeSpan.FromSeconds(1);
        _advancedTo = time.GetUtcNow();
    }

    public ICellElectrochemistry Chemistry { get; }

    /// <summary>Longest interval integrated with one operating point.</summary>
    public TimeSpan MaxStep { get; }

    public Area Area => Area.FromSquareCentimeters(Chemistry.AreaSquareCentimetres);

    public CellDrive Drive => _drive;

    /// <summary>Sodium plated on the Al collector now.</summary>
    public ArealCapacity PlatedSodium
    {
        get
        {
            AdvanceToNow();
            return ArealCapacity.FromMilliampHoursPerSquareCentimetre(Chemistry.PlatedSodiumMilliampHoursPerSquareCentimetre);
        }
    }

    /// <summary>How much thicker the stack is than when assembled: the plated sodium (8.8 µm per mAh/cm²).</summary>
    public Length StackGrowth => SodiumMetal.ThicknessOf(PlatedSodium);

    /// <summary>Changes the drive from now on; the time before now is integrated under the old drive first.</summary>
    public void Apply(CellDrive drive)
    {
        AdvanceToNow();
        _drive = drive;
    }

    /// <summary>The terminal voltage and current now, with measurement noise.</summary>
    public CellOperatingPoint Read()
    {
        AdvanceToNow();
        var point = CellOperatingPoint.Solve(Chemistry, _drive, Kelvin());
        var fluctuation = _random.Gaussian(Chemistry.FluctuationVolts);
        var voltage = point.VoltageVolts + _random.Gaussian(_noise.VoltageVolts) + fluctuation;
        var current = point.CurrentAmperes * (1 + _random.Gaussian(_noise.CurrentRelative));
        return point with { VoltageVolts = voltage, CurrentAmperes = current };
    }

    /// <summary>Integrates the cell from the last call up to the rig clock's now.</summary>
    public void AdvanceToNow()
    {
        var now = _time.GetUtcNow();
        if (_drive.Mode == CellDriveMode.OpenCircuit)
        {
            _advancedTo = now; // no current, no change of state
            return;
        }
        while (_advancedTo < now)
        {
            var step = now - _advancedTo;
            if (step > MaxStep)
            {
                step = MaxStep;
            }
            var kelvin = Kelvin();
            var point = CellOperatingPoint.Solve(Chemistry, _drive, kelvin);
            Chemistry.Pass(point.CurrentAmperes, step.TotalSeconds, kelvin);
            _advancedTo += step;
        }
    }

    private double Kelvin() => _temperature().Kelvins;
}
