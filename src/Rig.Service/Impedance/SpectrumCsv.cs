using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Rig.Drivers.Impedance;

namespace Rig.Service.Impedance;

/// <summary>
/// A stored spectrum document as CSV: '#' lines with the test, step, sweep, fit parameters (± one standard error) and
/// conductivity, then one row per point: frequency_Hz, Z_real_ohm, Z_imag_ohm (as measured, to the last bit: shortest
/// round-trip form), Z_mod_ohm, phase_deg, status, and the
/// fitted circuit's Z_fit_real_ohm, Z_fit_imag_ohm at the same frequency (empty without a fit).
/// </summary>
public static class SpectrumCsv
{
    public const string Header = "frequency_Hz,Z_real_ohm,Z_imag_ohm,Z_mod_ohm,phase_deg,status,Z_fit_real_ohm,Z_fit_imag_ohm";

    public static void Write(string documentJson, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        using var document = JsonDocument.Parse(documentJson);
        var root = document.RootElement;
        var c = CultureInfo.InvariantCulture;
        writer.WriteLine($"# test_id={root.GetProperty("test_id").GetString()} channel={root.GetProperty("channel").GetString()} cycle={root.GetProperty("cycle").GetInt32()} step={root.GetProperty("step").GetInt32()}");
        writer.WriteLine($"# step: {root.GetProperty("step_text").GetString()}");
        writer.WriteLine(string.Create(c, $"# started={root.GetProperty("started").GetString()} amplitude_V={root.GetProperty("amplitude_V").GetDouble():G6} bias_V={root.GetProperty("bias_V").GetDouble():G6} analyzer={root.GetProperty("analyzer").GetString()}"));
        EquivalentCircuit? circuit = null;
        if (root.TryGetProperty("fit", out var fit) && fit.ValueKind == JsonValueKind.Object)
        {
            var parameters = fit.GetProperty("parameters");
            writer.WriteLine(string.Create(c, $"# fit: {fit.GetProperty("model").GetString()}, {fit.GetProperty("weights").GetString()} weights, relative misfit {fit.GetProperty("relative_misfit").GetDouble():G3}"));
            var values = new List<double>();
            foreach (var name in EquivalentCircuit.Names)
            {
                var p = parameters.GetProperty(name);
                values.Add(p.GetProperty("value").GetDouble());
                writer.WriteLine(string.Create(c, $"# {name}={p.GetProperty("value").GetDouble():G6} ± {p.GetProperty("error").GetDouble():G3}"));
            }
            circuit = EquivalentCircuit.FromArray(values);
        }
        else if (root.TryGetProperty("fit_problem", out var problem))
        {
            writer.WriteLine($"# no fit: {problem.GetString()}");
        }
        if (root.TryGetProperty("ionic_conductivity_S_per_cm", out var sigma))
        {
            writer.WriteLine(string.Create(c, $"# ionic_conductivity_S_per_cm={sigma.GetProperty("value").GetDouble():G6} ± {sigma.GetProperty("error").GetDouble():G3}"));
        }
        writer.WriteLine(Header);
        var points = root.GetProperty("points");
        var f = points.GetProperty("f_Hz").EnumerateArray().Select(e => e.GetDouble()).ToList();
        var re = points.GetProperty("z_re_ohm").EnumerateArray().Select(e => e.GetDouble()).ToList();
        var im = points.GetProperty("z_im_ohm").EnumerateArray().Select(e => e.GetDouble()).ToList();
        var status = points.GetProperty("status").EnumerateArray().Select(e => e.GetString()).ToList();
        for (var i = 0; i < f.Count; i++)
        {
            var z = new Complex(re[i], im[i]);
            var fitted = circuit?.Impedance(f[i]);
            writer.WriteLine(string.Create(c,
                $"{f[i]:R},{re[i]:R},{im[i]:R},{z.Magnitude:G10},{z.Phase * 180 / Math.PI:G8},{status[i]},{(fitted is { } a ? a.Real.ToString("G8", c) : "")},{(fitted is { } b ? b.Imaginary.ToString("G8", c) : "")}"));
        }
    }
}
