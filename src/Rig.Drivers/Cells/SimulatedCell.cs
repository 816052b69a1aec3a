using Rig.Drivers.Quantities;
using UnitsNet;

namespace Rig.Drivers.Cells;

/// <summary>
/// A simulated cell under a simulated source: integrates the cell's state along the rig clock
/// (<see cref="TimeProvider"/>) under whatever drive is applied, in adaptive sub-steps no longer than
/// <see cref="MaxStep"/> that conserve charge (see <see cref="AdvanceToNow"/>), so a test can run weeks of rig time
/// in seconds and stay deterministic.
/// Not thread-safe: one channel owns it.
/// </summary>
public sealed class SimulatedCell
{
    private readonly TimeProvider _time;
    private readonly Func<Temperature> _temperature;
    private readonly SimulatedCellNoise _noise;
    private readonly MeasurementNoise _random;
    private DateTimeOffset _advancedTo;
    private double _nextStepSeconds = double.PositiveInfinity;
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

    /// <summary>Relative change of current within one sub-step above which the sub-step is halved.</summary>
    public const double CurrentTolerance = 0.02;

    /// <summary>Shortest sub-step: where an electrode empties, the charge passed past the event is below this × the current.</summary>
    public const double MinStepSeconds = 0.01;

    // Absolute slack on the current change, far below any current the rig resolves (a 2450's 10 µA range reads to 10 pA).
    private const double CurrentFloorAmperes = 1e-12;

    /// <summary>Longest interval integrated in one sub-step (shorter where the current changes).</summary>
    public TimeSpan MaxStep { get; }

    /// <summary>The charge the cell has passed at its terminals, as integrated.</summary>
    public ChargeLedger Ledger { get; } = new();

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

    /// <summary>
    /// Integrates the cell from the last call up to the rig clock's now. Each sub-step is tried with the current at
    /// its start, and the current at its end is solved on the tried state: if the two differ by more than
    /// <see cref="CurrentTolerance"/> (a CV hold relaxing, an electrode running empty, the source reaching compliance)
    /// the step is taken back and halved, down to <see cref="MinStepSeconds"/>; otherwise the step is passed again
    /// with the mean of the two (Heun's predictor-corrector, the trapezoid rule the engine measures with). So the
    /// charge a step moves does not depend on <see cref="MaxStep"/>, and an electrode that empties mid-step stops
    /// passing current where it empties rather than at the step's end.
    /// </summary>
    public void AdvanceToNow()
    {
        var now = _time.GetUtcNow();
        if (_drive.Mode == CellDriveMode.OpenCircuit)
        {
            _advancedTo = now; // no current, no change of state
            return;
        }
        var maxSeconds = MaxStep.TotalSeconds;
        var remaining = (now - _advancedTo).TotalSeconds;
        var kelvin = Kelvin();
        while (remaining > 0)
        {
            var step = Math.Min(Math.Min(_nextStepSeconds, maxSeconds), remaining);
            var start = CellOperatingPoint.Solve(Chemistry, _drive, kelvin).CurrentAmperes;
            var saved = Chemistry.Capture();
            Chemistry.Pass(start, step, kelvin);
            var end = CellOperatingPoint.Solve(Chemistry, _drive, kelvin).CurrentAmperes;
            var change = Math.Abs(end - start);
            if (change > CurrentTolerance * Math.Max(Math.Abs(start), Math.Abs(end)) + CurrentFloorAmperes && step > MinStepSeconds)
            {
                Chemistry.Restore(saved);
                _nextStepSeconds = Math.Max(MinStepSeconds, step / 2);
                continue;
            }
            var passed = start;
            if (change > 0)
            {
                Chemistry.Restore(saved);
                passed = 0.5 * (start + end);
                Chemistry.Pass(passed, step, kelvin);
            }
            Ledger.Record(passed, step);
            remaining -= step;
            _nextStepSeconds = Math.Min(maxSeconds, step * 2);
        }
        _advancedTo = now;
    }

    private double Kelvin() => _temperature().Kelvins;
}
