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

    // The operating point of the present state under the present drive, once solved: the next sub-step starts from
    // it and Read() answers from it, so each accepted sub-step costs two solves, not three. Any change of state,
    // drive or temperature drops it.
    private CellOperatingPoint? _solved;
    private double _solvedKelvin;

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
        _solved = null;
    }

    /// <summary>The terminal voltage and current now, with measurement noise.</summary>
    public CellOperatingPoint Read()
    {
        AdvanceToNow();
        var point = Solved(Kelvin());
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
            var start = Solved(kelvin).CurrentAmperes;
            var saved = Chemistry.Capture();
            Chemistry.Pass(start, step, kelvin);
            var endPoint = CellOperatingPoint.Solve(Chemistry, _drive, kelvin);
            var end = endPoint.CurrentAmperes;
            var change = Math.Abs(end - start);
            var allowed = CurrentTolerance * Math.Max(Math.Abs(start), Math.Abs(end)) + CurrentFloorAmperes;
            if (change > allowed && step > MinStepSeconds)
            {
                Chemistry.Restore(saved);
                _nextStepSeconds = Math.Max(MinStepSeconds, step * Math.Clamp(Safety * allowed / change, MinShrink, 0.5));
                continue;
            }
            var passed = start;
            if (change > 0)
            {
                Chemistry.Restore(saved);
                passed = 0.5 * (start + end);
                Chemistry.Pass(passed, step, kelvin);
                _solved = null;
            }
            else
            {
                _solved = endPoint; // nothing moved the current: the tried state is the state
            }
            Ledger.Record(passed, step);
            remaining -= step;
            // The change is first order in the step: aim the next one just inside the tolerance rather than doubling
            // into a rejection and halving back (half the sub-steps of a CV hold were thrown away that way).
            var grow = change > 0 ? Math.Clamp(Safety * allowed / change, 1, 2) : 2;
            _nextStepSeconds = Math.Min(maxSeconds, step * grow);
        }
        _advancedTo = now;
    }

    /// <summary>
    /// Remembers everything the cell's future depends on (state, drive, integrator, ledger, clock position), so a
    /// twin that looked ahead past an event can go back (<see cref="Rewind"/>) and approach it in finer samples.
    /// The noise generator is not rewound: a rewound run draws other noise, but the same on every run.
    /// </summary>
    public SimulatedCellMark Mark() => new(Chemistry.Capture(), _advancedTo, _nextStepSeconds, _drive, _solved, _solvedKelvin,
        Ledger.PositiveAmpereSeconds, Ledger.NegativeAmpereSeconds);

    /// <summary>Puts the cell back where <see cref="Mark"/> found it; the caller puts its clock back too.</summary>
    public void Rewind(in SimulatedCellMark mark)
    {
        Chemistry.Restore(mark.State);
        _advancedTo = mark.AdvancedTo;
        _nextStepSeconds = mark.NextStepSeconds;
        _drive = mark.Drive;
        _solved = mark.Solved;
        _solvedKelvin = mark.SolvedKelvin;
        Ledger.Reset(mark.PositiveAmpereSeconds, mark.NegativeAmpereSeconds);
    }

    private const double Safety = 0.9;
    private const double MinShrink = 0.1;

    private CellOperatingPoint Solved(double kelvin)
    {
        if (_solved is { } point && _solvedKelvin == kelvin)
        {
            return point;
        }
        _solvedKelvin = kelvin;
        _solved = CellOperatingPoint.Solve(Chemistry, _drive, kelvin);
        return _solved.Value;
    }

    private double Kelvin() => _temperature().Kelvins;
}

/// <summary>What <see cref="SimulatedCell.Mark"/> remembers; opaque to callers.</summary>
public readonly record struct SimulatedCellMark(
    CellState State,
    DateTimeOffset AdvancedTo,
    double NextStepSeconds,
    CellDrive Drive,
    CellOperatingPoint? Solved,
    double SolvedKelvin,
    double PositiveAmpereSeconds,
    double NegativeAmpereSeconds);
