using System.Globalization;
using System.Text;
using System.Text.Json;
using Rig.Drivers.Impedance;

namespace Rig.Service.Impedance;

/// <summary>
/// The spectrum document, stored and published retained on "&lt;channel&gt;/spectrum" (docs/impedance.md): points as
/// columns (f_Hz, z_re_ohm, z_im_ohm, status), the fit's parameters with standard errors, the ionic conductivity.
/// Written with a Utf8JsonWriter (no reflection: the trimmed build keeps every field) and read back the same way.
/// </summary>
public static class SpectrumDocument
{
    public static byte[] Build(MeasuredSpectrum measured, long seq)
    {
        ArgumentNullException.ThrowIfNull(measured);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            var (request, spectrum) = (measured.Request, measured.Spectrum);
            w.WriteStartObject();
            w.WriteNumber("seq", seq);
            w.WriteString("test_id", request.TestId);
            w.WriteString("channel", request.ChannelId);
            w.WriteNumber("cycle", request.Cycle);
            w.WriteNumber("step", request.Instruction);
            w.WriteString("step_text", request.StepText);
            w.WriteString("analyzer", measured.Analyzer);
            w.WriteString("started", spectrum.StartedAt);
            w.WriteString("ended", spectrum.EndedAt);
            w.WriteNumber("amplitude_V", spectrum.Sweep.Amplitude.Volts);
            w.WriteNumber("bias_V", spectrum.Sweep.Bias.Volts);
            w.WriteStartObject("points");
            Column(w, "f_Hz", spectrum.Points.Select(p => p.Frequency.Hertz));
            Column(w, "z_re_ohm", spectrum.Points.Select(p => p.Real));
            Column(w, "z_im_ohm", spectrum.Points.Select(p => p.Imaginary));
            w.WriteStartArray("status");
            foreach (var p in spectrum.Points)
            {
                w.WriteStringValue(p.Status == ImpedancePointStatus.Ok ? "ok" : "overload");
            }
            w.WriteEndArray();
            w.WriteEndObject();
            if (measured.Fit is { } fit)
            {
                w.WriteStartObject("fit");
                w.WriteString("model", "R_bulk + R_gb||CPE_gb + R_int||CPE_int + CPE_tail");
                w.WriteString("weights", "modulus");
                w.WriteNumber("relative_misfit", fit.RelativeMisfit);
                w.WriteNumber("points_used", fit.PointsUsed);
                w.WriteStartObject("parameters");
                foreach (var p in fit.Parameters)
                {
                    w.WriteStartObject(p.Name);
                    w.WriteNumber("value", p.Value);
                    w.WriteNumber("error", p.StandardError);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("fit");
            }
            if (measured.FitProblem is { } problem)
            {
                w.WriteString("fit_problem", problem);
            }
            if (measured.IonicConductivity is { } sigma)
            {
                w.WriteStartObject("ionic_conductivity_S_per_cm");
                w.WriteNumber("value", sigma.Value.SiemensPerCentimeter);
                w.WriteNumber("error", sigma.StandardError.SiemensPerCentimeter);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static void Column(Utf8JsonWriter w, string name, IEnumerable<double> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            if (double.IsFinite(v))
            {
                w.WriteNumberValue(v);
            }
            else
            {
                w.WriteNullValue();
            }
        }
        w.WriteEndArray();
    }
}
