namespace Rig.Drivers.Cells;

/// <summary>
/// NaCrO2 | NBH | Al anode-free full cell. Defaults echo the paper's Fig. 7: ICE 93 %, average CE 99.96 %,
/// ~70 % retention after 400 cycles at 40 °C and 1 mA/cm² between 1.8 and 3.5 V.
/// </summary>
public sealed record FullCellParameters
{
    /// <summary>Reversible cathode capacity between the discharged and the fully charged state, mAh/cm².</summary>
    public double CathodeCapacityMilliampHoursPerSquareCentimetre { get; init; } = 1.2;

    /// <summary>Plating efficiency until the first full discharge (ICE).</summary>
    public double InitialCoulombicEfficiency { get; init; } = 0.93;

    /// <summary>Plating efficiency on later cycles.</summary>
    public double CoulombicEfficiency { get; init; } = 0.9996;

    /// <summary>Fraction of the cathode capacity lost per cycle's worth of discharge throughput (0.14 % with the default CE gives ~70 % at 400 cycles, as Fig. 7e).</summary>
    public double CathodeFadePerCycle { get; init; } = 0.0014;

    /// <summary>Area-specific resistance at 25 °C, Ω·cm²: slow cathode kinetics are why the paper runs at 40 °C.</summary>
    public double AreaSpecificResistanceOhmSquareCentimetres { get; init; } = 150.0;

    /// <summary>Activation energy of that resistance, kJ/mol.</summary>
    public double ActivationEnergyKilojoulesPerMole { get; init; } = 40.0;

    /// <summary>Exchange current density of the cathode reaction at 25 °C, mA/cm².</summary>
    public double ExchangeCurrentDensityMilliampsPerSquareCentimetre { get; init; } = 0.5;

    /// <summary>Potential of bare Al vs Na: the cell voltage collapses by this much when the plated sodium is gone, V.</summary>
    public double AnodeDepletionVoltage { get; init; } = 3.0;

    /// <summary>Potential of bare Al vs Na at rest: a freshly built cell reads about OCV(cathode) minus this, V.</summary>
    public double BareAluminiumVoltage { get; init; } = 1.2;

    /// <summary>Inventory scale of that collapse, mAh/cm².</summary>
    public double DepletionScaleMilliampHoursPerSquareCentimetre { get; init; } = 0.004;
}
