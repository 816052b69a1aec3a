namespace Rig.Drivers.Cells;

/// <summary>
/// NaCrO2 | NBH | Al anode-free full cell. Defaults echo the paper's Fig. 7: ICE 93 %, average CE 99.96 %,
/// ~70 % retention after 400 cycles at 40 °C and 1 mA/cm² between 1.8 and 3.5 V.
/// </summary>
/// <remarks>
/// Efficiencies are given at the reference conditions in <see cref="Contact"/> (10 MPa, 40 °C: the paper's full-cell
/// conditions); pressure, temperature, capacity and current density move them (docs/simulation.md#trends).
/// </remarks>
public sealed record FullCellParameters
{
    /// <summary>Stack pressure the twin's cell is held at, MPa.</summary>
    public double StackPressureMegapascals { get; init; } = 10.0;

    /// <summary>How contact loss depends on pressure and temperature; reference conditions 10 MPa, 40 °C.</summary>
    public ContactParameters Contact { get; init; } = new() { ReferenceTemperatureCelsius = 40.0 };

    /// <summary>Areal capacity per charge at which <see cref="CoulombicEfficiency"/> is given, mAh/cm².</summary>
    public double ReferenceArealCapacityMilliampHoursPerSquareCentimetre { get; init; } = 1.0;

    /// <summary>Exponent of the per-cycle loss against the capacity plated (as the half cell; assumption).</summary>
    public double ArealCapacityLossExponent { get; init; } = 0.1;

    /// <summary>
    /// Solid-state diffusion time of the cathode at 25 °C, s: at current I the cathode's surface runs ahead of its bulk
    /// by I·τ/Q of its capacity, so the cut-offs arrive early and capacity falls with current. Fig. 7a-c: strong
    /// polarization and rate dependence at room temperature, much less at 40 °C ("slow cathode kinetics"); the value
    /// is an assumption that gives ~15 % less discharge capacity at 1 mA/cm² than at 0.1 mA/cm² at 25 °C.
    /// </summary>
    public double CathodeDiffusionTimeSecondsAt25C { get; init; } = 600.0;

    /// <summary>Activation energy of cathode diffusion, kJ/mol (assumption: the 40 °C loss is a third of the 25 °C one).</summary>
    public double CathodeDiffusionActivationEnergyKilojoulesPerMole { get; init; } = 60.0;

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
