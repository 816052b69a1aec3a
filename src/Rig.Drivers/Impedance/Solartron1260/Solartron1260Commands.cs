using System.Globalization;
using UnitsNet;

namespace Rig.Drivers.Impedance.Solartron1260;

/// <summary>
/// The Solartron 1260's GPIB command language (not SCPI: two-letter mnemonics with comma-separated arguments), in one
/// place so a reviewer can hold it beside the 1260 Operating Manual's GPIB command list. The mnemonics and the result
/// format are the ones the manual documents and that published 1260 drivers use on the bench (see docs/impedance.md
/// for the sources and which details are still to be checked on a real unit).
/// </summary>
public static class Solartron1260Commands
{
    /// <summary>Reset to the power-on defaults; the 1260 needs a few seconds before it takes commands again.</summary>
    public const string Reset = "TT2";

    /// <summary>Output separator: comma between the fields of a result.</summary>
    public const string CommaSeparator = "OS0";

    /// <summary>Output terminator: CR LF with EOI on the last byte.</summary>
    public const string CrLfTerminator = "OT1";

    /// <summary>Output results to GPIB, ASCII.</summary>
    public const string ResultsToGpib = "OP2,1";

    /// <summary>Coordinates: rectangular (real, imaginary), so Z' and Z'' arrive as measured, with no polar round trip.</summary>
    public const string Rectangular = "CZ0";

    /// <summary>Start a single measurement at the set frequency.</summary>
    public const string SingleMeasurement = "SI";

    /// <summary>Generator a.c. amplitude (V r.m.s.).</summary>
    public static string Amplitude(ElectricPotential amplitude) => Format("VA", amplitude.Volts);

    /// <summary>Generator d.c. bias (V), within ±40.95 V.</summary>
    public static string Bias(ElectricPotential bias) => Format("VB", bias.Volts);

    /// <summary>Integration time in seconds per measurement.</summary>
    public static string IntegrationTime(TimeSpan time) => Format("IS", time.TotalSeconds);

    /// <summary>Generator frequency (Hz).</summary>
    public static string Frequency(Frequency frequency) => Format("FR", frequency.Hertz);

    /// <summary>The configuration sent after every reset: the data path the driver parses.</summary>
    public static IReadOnlyList<string> DataPath { get; } = [CommaSeparator, CrLfTerminator, ResultsToGpib, Rectangular];

    private static string Format(string mnemonic, double value) =>
        string.Create(CultureInfo.InvariantCulture, $"{mnemonic} {value:0.######E+00}");
}
