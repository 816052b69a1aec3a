namespace Rig.Drivers.Cells;

/// <summary>
/// Na9Sn4 | NBH | Al anode-free half cell. Defaults echo the paper: ICE ~93 % on the Al pellet,
/// CCD 6.0 mA/cm² at 4 mAh/cm², plating tens of mV below 0 V at 1 mA/cm², strip cut-off 2 V.
/// </summary>
public sealed record HalfCellParameters
{
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

    /// <summary>Current density at or above which plating grows a dendrite through the separator, mA/cm².</summary>
    public double CriticalCurrentDensityMilliampsPerSquareCentimetre { get; init; } = 6.0;

    /// <summary>Capacity plated at or above the CCD in one step before the dendrite bridges, mAh/cm².</summary>
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
