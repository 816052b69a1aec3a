namespace Rig.Drivers.Cells;

/// <summary>
/// Na9Sn4 | NBH | Al half cell, Al on HI: plating (negative current) deposits sodium on Al a few tens of mV
/// below 0 V; stripping (positive current) returns it until the inventory runs out and the potential rises
/// sharply through the 2 V cut-off. Part of every plated charge is lost (efficiency, which depends on stack
/// pressure, temperature and the capacity plated); a plating that takes more capacity than its current density
/// allows (the critical current density falls with capacity) grows a dendrite that shorts the cell: the potential
/// collapses toward zero and fluctuates (the paper's short-circuit signature).
/// </summary>
public sealed class AnodeFreeHalfCell : ICellElectrochemistry
{
    private const double SecondsPerHour = 3600.0;

    // A strip or discharge that ends at the cut-off leaves a few depletion scales of sodium behind (the last
    // rise happens there); below ten of them the electrode counts as emptied and the first cycle as done.
    private const double FirstCycleEndThreshold = 10.0;
    private readonly HalfCellParameters _parameters;
    private double _activeSodiumMilliampHours;
    private double _platedInStepMilliampHours;
    private bool _firstStripCompleted;
    private bool _wasPlating;

    public AnodeFreeHalfCell(double areaSquareCentimetres, HalfCellParameters parameters)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(areaSquareCentimetres);
        AreaSquareCentimetres = areaSquareCentimetres;
        _parameters = parameters ?? throw new ArgumentNullException(nameof(parameters));
    }

    public double AreaSquareCentimetres { get; }

    public bool IsShorted { get; private set; }

    public double FluctuationVolts => IsShorted ? _parameters.ShortFluctuationVolts : 0.0;

    public double PlatedSodiumMilliampHoursPerSquareCentimetre => _activeSodiumMilliampHours / AreaSquareCentimetres;

    /// <summary>True once the cell has been stripped empty at least once (the ICE cycle is behind it).</summary>
    public bool FirstStripCompleted => _firstStripCompleted;

    public CellState Capture() => new(_activeSodiumMilliampHours, _platedInStepMilliampHours, 0, 0,
        (_firstStripCompleted ? 1 : 0) | (_wasPlating ? 2 : 0) | (IsShorted ? 4 : 0));

    public void Restore(in CellState state)
    {
        _activeSodiumMilliampHours = state.Slot0;
        _platedInStepMilliampHours = state.Slot1;
        _firstStripCompleted = (state.Flags & 1) != 0;
        _wasPlating = (state.Flags & 2) != 0;
        IsShorted = (state.Flags & 4) != 0;
    }

    public double TerminalVoltage(double currentAmperes, double temperatureKelvin)
    {
        var resistance = _parameters.AreaSpecificResistanceOhmSquareCentimetres / AreaSquareCentimetres
            * Arrhenius.ResistanceFactor(_parameters.ActivationEnergyKilojoulesPerMole, temperatureKelvin);
        if (IsShorted)
        {
            // The dendrite carries the current; what is left of the cell is in parallel with it.
            var parallel = resistance * _parameters.ShortResistanceOhms / (resistance + _parameters.ShortResistanceOhms);
            return currentAmperes * parallel;
        }
        // Stripping an electrode with no sodium left: nothing can carry the current, the source runs into its compliance.
        if (currentAmperes > 0 && _activeSodiumMilliampHours <= 0)
        {
            return BlockedElectrode.Volts;
        }

        var currentDensity = currentAmperes * 1000.0 / AreaSquareCentimetres;
        var overpotential = currentAmperes * resistance
            + Arrhenius.KineticOverpotential(currentDensity, _parameters.ExchangeCurrentDensityMilliampsPerSquareCentimetre, temperatureKelvin);
        return overpotential + DepletionPotential(currentAmperes);
    }

    public void Pass(double currentAmperes, double seconds, double temperatureKelvin)
    {
        var milliampHours = currentAmperes * 1000.0 * seconds / SecondsPerHour;
        if (IsShorted)
        {
            return; // charge flows through the dendrite, not through the electrode
        }

        if (milliampHours < 0)
        {
            Plate(-milliampHours, Math.Abs(currentAmperes) * 1000.0 / AreaSquareCentimetres, temperatureKelvin);
        }
        else if (milliampHours > 0)
        {
            Strip(milliampHours);
        }
    }

    private void Plate(double milliampHours, double currentDensity, double kelvin)
    {
        if (!_wasPlating)
        {
            _platedInStepMilliampHours = 0;
            _wasPlating = true;
        }

        _activeSodiumMilliampHours += milliampHours * PlatingEfficiency(milliampHours, kelvin);
        _platedInStepMilliampHours += milliampHours;

        // A dendrite bridges once this plating has taken the capacity the current density allows (CCD vs capacity, Fig. 2h).
        // Small tolerance: a ramp of 0.2 mA/cm² steps reaches 6.0 as 5.999999.
        if (_platedInStepMilliampHours / AreaSquareCentimetres >= _parameters.ShortingCapacityAt(currentDensity) - 1e-9)
        {
            IsShorted = true;
        }
    }

    // Fraction of this increment that stays active: the first plating loses ICE's share (SEI, nucleation), later ones
    // (1 - CE)·(1 + β)·(q/Q₀)^β at plated capacity q (so a whole plating of Q loses (1 - CE)·(Q/Q₀)^β of it), both
    // shifted by the contact loss at this pressure and temperature.
    private double PlatingEfficiency(double milliampHours, double kelvin)
    {
        var contact = InterfaceContact.ExtraLoss(_parameters.Contact, _parameters.StackPressureMegapascals, kelvin);
        if (!_firstStripCompleted)
        {
            return Math.Clamp(_parameters.InitialCoulombicEfficiency - contact, 0, 1);
        }
        var midpoint = (_platedInStepMilliampHours + 0.5 * milliampHours) / AreaSquareCentimetres;
        var beta = _parameters.ArealCapacityLossExponent;
        var loss = (1 - _parameters.CoulombicEfficiency) * (1 + beta)
            * Math.Pow(midpoint / _parameters.ReferenceArealCapacityMilliampHoursPerSquareCentimetre, beta);
        return Math.Clamp(1 - loss - contact, 0, 1);
    }

    private void Strip(double milliampHours)
    {
        _wasPlating = false;
        _activeSodiumMilliampHours = Math.Max(0, _activeSodiumMilliampHours - milliampHours);
        // Stripped to the cut-off: what is left is below the scale of the final voltage rise.
        if (PlatedSodiumMilliampHoursPerSquareCentimetre < FirstCycleEndThreshold * _parameters.DepletionScaleMilliampHoursPerSquareCentimetre)
        {
            _firstStripCompleted = true;
        }
    }

    // exp(-remaining/scale) is ~0 while sodium is left and climbs to 1 as it runs out. Stripping an empty
    // electrode drives it to DepletedVoltage (through the 2 V cut-off); at rest bare Al sits at BareAluminiumVoltage;
    // plating nucleates sodium at once, so it adds nothing there.
    private double DepletionPotential(double currentAmperes)
    {
        if (currentAmperes < 0)
        {
            return 0.0;
        }
        var emptiness = Math.Exp(-PlatedSodiumMilliampHoursPerSquareCentimetre / _parameters.DepletionScaleMilliampHoursPerSquareCentimetre);
        return emptiness * (currentAmperes > 0 ? _parameters.DepletedVoltage : _parameters.BareAluminiumVoltage);
    }
}
