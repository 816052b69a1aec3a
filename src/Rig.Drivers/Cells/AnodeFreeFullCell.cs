namespace Rig.Drivers.Cells;

/// <summary>
/// NaCrO2 | NBH | Al anode-free full cell, cathode on HI. Charging (positive current) moves sodium out of the
/// cathode and plates it on Al, losing a fraction to the interphase; discharging strips it back. The cell
/// holds no sodium beyond what the cathode gave, so discharge ends when the plated sodium runs out and the
/// voltage collapses through 1.8 V. Ohmic and kinetic polarization follow Arrhenius (smaller at 40 °C);
/// a CV hold at 3.5 V decays as the cathode's OCV approaches it.
/// </summary>
public sealed class AnodeFreeFullCell : ICellElectrochemistry
{
    private const double SecondsPerHour = 3600.0;

    // A strip or discharge that ends at the cut-off leaves a few depletion scales of sodium behind (the last
    // rise happens there); below ten of them the electrode counts as emptied and the first cycle as done.
    private const double FirstCycleEndThreshold = 10.0;
    private readonly FullCellParameters _parameters;
    private double _cathodeCapacityMilliampHours;
    private double _sodiumInCathodeMilliampHours;
    private double _platedSodiumMilliampHours;
    private double _chargedInStepMilliampHours;
    private bool _firstDischargeCompleted;
    private bool _wasCharging;

    // Arrhenius factors at the last temperature asked: the solver evaluates V(I) ~10 times per solve at one temperature.
    private double _factorsKelvin = double.NaN;
    private double _resistanceFactor;
    private double _diffusionFactor;

    public AnodeFreeFullCell(double areaSquareCentimetres, FullCellParameters parameters)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(areaSquareCentimetres);
        AreaSquareCentimetres = areaSquareCentimetres;
        _parameters = parameters ?? throw new ArgumentNullException(nameof(parameters));
        _cathodeCapacityMilliampHours = parameters.CathodeCapacityMilliampHoursPerSquareCentimetre * areaSquareCentimetres;
        _sodiumInCathodeMilliampHours = _cathodeCapacityMilliampHours; // assembled discharged
    }

    public double AreaSquareCentimetres { get; }

    public bool IsShorted => false;

    public double FluctuationVolts => 0.0;

    public double PlatedSodiumMilliampHoursPerSquareCentimetre => _platedSodiumMilliampHours / AreaSquareCentimetres;

    /// <summary>Cathode state of charge, 0 (discharged) to 1.</summary>
    public double CathodeStateOfCharge => 1.0 - _sodiumInCathodeMilliampHours / _cathodeCapacityMilliampHours;

    public CellState Capture() => new(_cathodeCapacityMilliampHours, _sodiumInCathodeMilliampHours, _platedSodiumMilliampHours,
        _chargedInStepMilliampHours, (_firstDischargeCompleted ? 1 : 0) | (_wasCharging ? 2 : 0));

    public void Restore(in CellState state)
    {
        _cathodeCapacityMilliampHours = state.Slot0;
        _sodiumInCathodeMilliampHours = state.Slot1;
        _platedSodiumMilliampHours = state.Slot2;
        _chargedInStepMilliampHours = state.Slot3;
        _firstDischargeCompleted = (state.Flags & 1) != 0;
        _wasCharging = (state.Flags & 2) != 0;
    }

    public double TerminalVoltage(double currentAmperes, double temperatureKelvin)
    {
        // An electrode with nothing left to give cannot carry current that way: the source runs into its compliance.
        if (currentAmperes < 0 && _platedSodiumMilliampHours <= 0)
        {
            return -BlockedElectrode.Volts;
        }
        if (currentAmperes > 0 && _sodiumInCathodeMilliampHours <= 0)
        {
            return BlockedElectrode.Volts;
        }
        UpdateFactors(temperatureKelvin);
        var resistanceFactor = _resistanceFactor;
        var resistance = _parameters.AreaSpecificResistanceOhmSquareCentimetres / AreaSquareCentimetres * resistanceFactor;
        var currentDensity = currentAmperes * 1000.0 / AreaSquareCentimetres;
        var exchange = _parameters.ExchangeCurrentDensityMilliampsPerSquareCentimetre / resistanceFactor;
        return SodiumChromiumOxideCathode.OpenCircuitVolts(SurfaceStateOfCharge(currentAmperes, temperatureKelvin))
            - AnodePotential(currentAmperes)
            + currentAmperes * resistance
            + Arrhenius.KineticOverpotential(currentDensity, exchange, temperatureKelvin);
    }

    public void Pass(double currentAmperes, double seconds, double temperatureKelvin)
    {
        var milliampHours = currentAmperes * 1000.0 * seconds / SecondsPerHour;
        if (milliampHours > 0)
        {
            if (!_wasCharging)
            {
                _chargedInStepMilliampHours = 0;
                _wasCharging = true;
            }
            var extracted = Math.Min(milliampHours, _sodiumInCathodeMilliampHours);
            _sodiumInCathodeMilliampHours -= extracted;
            _platedSodiumMilliampHours += extracted * PlatingEfficiency(extracted, temperatureKelvin);
            _chargedInStepMilliampHours += extracted;
        }
        else if (milliampHours < 0)
        {
            _wasCharging = false;
            var stripped = Math.Min(-milliampHours, _platedSodiumMilliampHours);
            _platedSodiumMilliampHours -= stripped;
            FadeCathode(stripped);
            _sodiumInCathodeMilliampHours = Math.Min(_cathodeCapacityMilliampHours, _sodiumInCathodeMilliampHours + stripped);
            if (PlatedSodiumMilliampHoursPerSquareCentimetre < FirstCycleEndThreshold * _parameters.DepletionScaleMilliampHoursPerSquareCentimetre)
            {
                _firstDischargeCompleted = true;
            }
        }
    }

    // The cathode's surface runs ahead of its bulk by I·τ(T)/Q (quasi-steady solid-state diffusion): charging empties
    // the surface first, discharging fills it first, so the cut-offs come early at high current and low temperature.
    private double SurfaceStateOfCharge(double currentAmperes, double kelvin)
    {
        UpdateFactors(kelvin);
        var tau = _parameters.CathodeDiffusionTimeSecondsAt25C * _diffusionFactor;
        var capacityAmpereSeconds = _cathodeCapacityMilliampHours * SecondsPerHour / 1000.0;
        return CathodeStateOfCharge + currentAmperes * tau / capacityAmpereSeconds;
    }

    private void UpdateFactors(double kelvin)
    {
        if (kelvin != _factorsKelvin)
        {
            _resistanceFactor = Arrhenius.ResistanceFactor(_parameters.ActivationEnergyKilojoulesPerMole, kelvin);
            _diffusionFactor = Arrhenius.ResistanceFactor(_parameters.CathodeDiffusionActivationEnergyKilojoulesPerMole, kelvin);
            _factorsKelvin = kelvin;
        }
    }

    // As the half cell: ICE's share lost on the first charge, then (1 - CE)·(1 + β)·(q/Q₀)^β at charged capacity q,
    // both shifted by the contact loss at this pressure and temperature.
    private double PlatingEfficiency(double milliampHours, double kelvin)
    {
        var contact = InterfaceContact.ExtraLoss(_parameters.Contact, _parameters.StackPressureMegapascals, kelvin);
        if (!_firstDischargeCompleted)
        {
            return Math.Clamp(_parameters.InitialCoulombicEfficiency - contact, 0, 1);
        }
        var midpoint = (_chargedInStepMilliampHours + 0.5 * milliampHours) / AreaSquareCentimetres;
        var beta = _parameters.ArealCapacityLossExponent;
        var loss = (1 - _parameters.CoulombicEfficiency) * (1 + beta)
            * Math.Pow(midpoint / _parameters.ReferenceArealCapacityMilliampHoursPerSquareCentimetre, beta);
        return Math.Clamp(1 - loss - contact, 0, 1);
    }

    // ~0 V vs Na while sodium is plated. With none left: discharging pushes bare Al up to AnodeDepletionVoltage
    // (the collapse through 1.8 V); at rest bare Al sits at BareAluminiumVoltage; charging nucleates sodium at once.
    private double AnodePotential(double currentAmperes)
    {
        if (currentAmperes > 0)
        {
            return 0.0;
        }
        var emptiness = Math.Exp(-PlatedSodiumMilliampHoursPerSquareCentimetre / _parameters.DepletionScaleMilliampHoursPerSquareCentimetre);
        return emptiness * (currentAmperes < 0 ? _parameters.AnodeDepletionVoltage : _parameters.BareAluminiumVoltage);
    }

    // Capacity fade tied to discharge throughput, so it needs no notion of "cycle".
    private void FadeCathode(double strippedMilliampHours)
    {
        var nominal = _parameters.CathodeCapacityMilliampHoursPerSquareCentimetre * AreaSquareCentimetres;
        _cathodeCapacityMilliampHours -= _parameters.CathodeFadePerCycle * _cathodeCapacityMilliampHours * strippedMilliampHours / nominal;
        _sodiumInCathodeMilliampHours = Math.Min(_sodiumInCathodeMilliampHours, _cathodeCapacityMilliampHours);
    }
}
