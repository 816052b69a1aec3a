namespace Rig.Drivers.Cells;

/// <summary>
/// The current collectors and separators the paper compares, as twin parameter sets. What the paper reports is
/// used as given (figure cited); what it only orders, or does not say, is an assumption and marked so. Sources and
/// the reasoning: docs/simulation.md#parameter-sets.
/// </summary>
public static class CellParameterSets
{
    /// <summary>Names accepted by <see cref="HalfCell"/> and <see cref="FullCell"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["AlPellet", "AlFoil", "CuPellet", "TiPellet", "Na3PS4AlFoil"];

    /// <summary>NBH | Al pellet (the paper's cell): ICE 93 % (Fig. 2b), CCD 6.0 mA/cm² at 4 mAh/cm² (Fig. 2g).</summary>
    public static HalfCellParameters AlPelletHalfCell { get; } = new();

    /// <summary>
    /// NBH | Al foil: ICE 64 % (Fig. 2a), CCD 1.2 mA/cm² at 4 mAh/cm² (Fig. 2f), higher interfacial resistance
    /// (Fig. 2d: the pellet's is lower; 3x is an assumption), CE 99 % after the first cycle (assumption: the full
    /// cell on foil loses most of its capacity in tens of cycles, Fig. 7f).
    /// </summary>
    public static HalfCellParameters AlFoilHalfCell { get; } = new()
    {
        InitialCoulombicEfficiency = 0.64,
        CoulombicEfficiency = 0.99,
        CriticalCurrentDensityMilliampsPerSquareCentimetre = 1.2,
        AreaSpecificResistanceOhmSquareCentimetres = 60.0,
    };

    /// <summary>
    /// NBH | Cu pellet: 19-23 % porosity traps sodium in the pores (Fig. 5b,f,h); Fig. 4 orders retention Al &gt; Cu &gt; Ti
    /// but gives no numbers in the text. ICE 80 % and CE 99.5 % are assumptions scaled by porosity.
    /// </summary>
    public static HalfCellParameters CuPelletHalfCell { get; } = new()
    {
        InitialCoulombicEfficiency = 0.80,
        CoulombicEfficiency = 0.995,
    };

    /// <summary>NBH | Ti pellet: 34-35 % porosity (Fig. 5c,g), lowest retention (Fig. 4d). ICE 70 %, CE 99 % are assumptions.</summary>
    public static HalfCellParameters TiPelletHalfCell { get; } = new()
    {
        InitialCoulombicEfficiency = 0.70,
        CoulombicEfficiency = 0.99,
    };

    /// <summary>
    /// Na3PS4 | Al foil: the separator is reduced by plated sodium (continuous SEI), ICE 4 % (Supplementary Fig. 1, main text). CE 80 % after that and a
    /// CCD of 1 mA/cm² are assumptions (the paper stops at the first cycle).
    /// </summary>
    public static HalfCellParameters Na3PS4AlFoilHalfCell { get; } = new()
    {
        InitialCoulombicEfficiency = 0.04,
        CoulombicEfficiency = 0.80,
        CriticalCurrentDensityMilliampsPerSquareCentimetre = 1.0,
        AreaSpecificResistanceOhmSquareCentimetres = 100.0,
    };

    /// <summary>NaCrO2 | NBH | Al pellet at 40 °C, 10 MPa: ICE 93 %, CE 99.96 %, 70 % after 400 cycles (Fig. 7d,e).</summary>
    public static FullCellParameters AlPelletFullCell { get; } = new();

    /// <summary>
    /// NaCrO2 | NBH | Al foil: "can only cycle for tens of cycles before losing most of its capacity" (Fig. 7e,f).
    /// ICE 64 % (the half cell's, Fig. 2a) and CE 97 % (about a third left after 30 cycles) are assumptions.
    /// </summary>
    public static FullCellParameters AlFoilFullCell { get; } = new()
    {
        InitialCoulombicEfficiency = 0.64,
        CoulombicEfficiency = 0.97,
    };

    /// <summary>The half-cell set by name (case-insensitive), or null.</summary>
    public static HalfCellParameters? HalfCell(string name) => name?.ToUpperInvariant() switch
    {
        "ALPELLET" => AlPelletHalfCell,
        "ALFOIL" => AlFoilHalfCell,
        "CUPELLET" => CuPelletHalfCell,
        "TIPELLET" => TiPelletHalfCell,
        "NA3PS4ALFOIL" => Na3PS4AlFoilHalfCell,
        _ => null,
    };

    /// <summary>The full-cell set by name (case-insensitive), or null (the paper built full cells on Al pellet and Al foil only).</summary>
    public static FullCellParameters? FullCell(string name) => name?.ToUpperInvariant() switch
    {
        "ALPELLET" => AlPelletFullCell,
        "ALFOIL" => AlFoilFullCell,
        _ => null,
    };
}
