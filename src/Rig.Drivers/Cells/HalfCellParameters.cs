namespace Rig.Drivers.Cells;

/// <summary>
/// Na9Sn4 | NBH | Al anode-free half cell. Defaults echo the paper: ICE ~93 % on the Al pellet,
/// CCD 6.0 mA/cm² at 4 mAh/cm², plating tens of mV below 0 V at 1 mA/cm², strip cut-off 2 V.
/// Efficiencies are given at the reference conditions in <see cref="Contact"/> (10 MPa, 25 °C, Fig. 6) and for
/// <see cref="ReferenceArealCapacityMilliampHoursPerSquareCentimetre"/>; other pressures, temperatures and
/// capacities move them (docs/simulation.md#trends). Parameter sets for the paper's other current collectors and
/// separator: <see cref="CellParameterSets"/>.
/// </summary>
public sealed record HalfCellParameters
{
    /// <summary>Stack pressure the twin's cell is held at, MPa (the clamp's nominal pressure).</summary>
    public double StackPressureMegapascals { get; init; } = 10.0;

    /// <summary>How contact loss depends on pressure and temperature; reference conditions 10 MPa, 25 °C.</summary>
    public ContactParameters Contact { get; init; } = new();

    /// <summary>Areal capacity per cycle at which <see cref="CoulombicEfficiency"/> is given, mAh/cm².</summary>
    public double ReferenceArealCapacityMilliampHoursPerSquareCentimetre { get; init; } = 1.0;

    /// <summary>
    /// Exponent β of the per-cycle loss against the capacity plated: loss(Q) = (1 - CE)·(Q/Q₀)^β. Paper: 1, 3 and
    /// 7 mAh/cm² show "very similar reversibility and capacity retention" (Fig. 6d,e): a weak dependence (assumption).
    /// </summary>
    public double ArealCapacityLossExponent { get; init; } = 0.1;

    /// <summary>Areal capacity per plating at which <see cref="CriticalCurrentDensityMilliampsPerSquareCentimetre"/> is given, mAh/cm² (Fig. 2f,g: 4).</summary>
    public double CriticalCurrentReferenceCapacityMilliampHoursPerSquareCentimetre { get; init; } = 4.0;

    /// <summary>
    /// Exponent α of CCD(Q) ∝ Q^-α: the CCD falls as the capacity plated per cycle rises (Fig. 2h; the trend is from
    /// the literature it plots, e.g. ref. Ham et al. 2023; the value 0.5 is an assumption).
    /// </summary>
    public double CriticalCurrentCapacityExponent { get; init; } = 0.5;

    /// <summary>The current density that shorts the cell within a plating of <paramref name="arealCapacity"/> mAh/cm², mA/cm².</summary>
    public double CriticalCurrentDensityAt(double arealCapacity) =>
        CriticalCurrentDensityMilliampsPerSquareCentimetre * Math.Pow(
            CriticalCurrentReferenceCapacityMilliampHoursPerSquareCentimetre / (arealCapacity + ShortOnsetCapacityMilliampHoursPerSquareCentimetre),
            CriticalCurrentCapacityExponent);

    /// <summary>Capacity one plating at <paramref name="currentDensity"/> mA/cm² can take before a dendrite bridges, mAh/cm².</summary>
    public double ShortingCapacityAt(double currentDensity) =>
        CriticalCurrentReferenceCapacityMilliampHoursPerSquareCentimetre
            * Math.Pow(CriticalCurrentDensityMilliampsPerSquareCentimetre / currentDensity, 1.0 / CriticalCurrentCapacityExponent)
            - ShortOnsetCapacityMilliampHoursPerSquareCentimetre;

    /// <summary>Plating efficiency until the first full strip (sodium lost to SEI and nucleation on bare Al).</summary>
    public double InitialCoulombicEfficiency { get; init; } = 0.93;

    /// <summary>Plating efficiency on every cycle after the first full strip.</summary>
    public double CoulombicEfficiency { get; init; } = 0.999;

    /// <summary>Area-specific resistance of the stack at 25 °C, Ω·cm² (separator + interfaces).</summary>
    public double AreaSpecificResistanceOhmSquareCentimetres { get; init; } = 20.0;

    /// <summary>Activation energy of that resistance, kJ/mol.</summary>
    public double ActivationEnergyKilojoulesPerMole { get; init; } = 30.0;

    /// <summary>Exchange current density of Na plating/stripping, mA/cm².</summary>
    public double ExchangeCurrentDensityMilliampsPerSquareCentimetre { get; init; } = 1.0;

    /// <summary>Critical current density at <see cref="CriticalCurrentReferenceCapacityMilliampHoursPerSquareCentimetre"/>, mA/cm².</summary>
    public double CriticalCurrentDensityMilliampsPerSquareCentimetre { get; init; } = 6.0;

    /// <summary>How far short of the reference capacity a plating at the CCD bridges, mAh/cm² (the ramp step at the CCD shorts before it ends).</summary>
    public double ShortOnsetCapacityMilliampHoursPerSquareCentimetre { get; init; } = 0.2;

    /// <summary>Resistance of the dendrite once it bridges, Ω.</summary>
    public double ShortResistanceOhms { get; init; } = 1.0;

    /// <summary>Amplitude of the potential fluctuation across a short, V.</summary>
    public double ShortFluctuationVolts { get; init; } = 0.004;

    /// <summary>Potential the Al electrode rises to when no sodium is left to strip, V.</summary>
    public double DepletedVoltage { get; init; } = 3.0;

    /// <summary>Open-circuit potential of bare Al against Na9Sn4, V.</summary>
    public double BareAluminiumVoltage { get; init; } = 1.2;

    /// <summary>Inventory scale of the final rise: the last few thousandths of a mAh/cm², mAh/cm².</summary>
    public double DepletionScaleMilliampHoursPerSquareCentimetre { get; init; } = 0.004;
}
