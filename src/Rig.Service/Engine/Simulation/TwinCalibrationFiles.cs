using System.Text.Json;
using Rig.Drivers.Cells;
using Rig.Files;
using Rig.Service.Configuration;

namespace Rig.Service.Engine.Simulation;

/// <summary>
/// A channel's twin calibration survives a restart: &lt;state&gt;/twin-calibration/&lt;channel&gt;.json holds the fitted
/// parameters (only those the fit moves; the rest stay as configured), the residuals and the test it came from.
/// Written atomically (a temporary file flushed to disk, then renamed over the old one), so a crash leaves the old
/// calibration or the new one, never half of one. A file that cannot be read is ignored (the configured twin runs).
/// </summary>
public sealed class TwinCalibrationFiles
{
    private readonly string _directory;

    public TwinCalibrationFiles(string stateDirectory)
    {
        _directory = Path.Combine(stateDirectory, "twin-calibration");
    }

    public string PathFor(string channelId) => Path.Combine(_directory, channelId + ".json");

    public void Save(string channelId, string testId, TwinCalibrationResult fit)
    {
        ArgumentNullException.ThrowIfNull(fit);
        Directory.CreateDirectory(_directory);
        var path = PathFor(channelId);
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            using (var w = new Utf8JsonWriter(stream))
            {
                w.WriteStartObject();
                w.WriteString("test_id", testId);
                w.WriteString("chemistry", fit.Chemistry.ToString());
                w.WritePropertyName("parameters");
                w.WriteStartObject();
                if (fit.FullCell is { } f)
                {
                    w.WriteNumber(nameof(f.CathodeCapacityMilliampHoursPerSquareCentimetre), f.CathodeCapacityMilliampHoursPerSquareCentimetre);
                    w.WriteNumber(nameof(f.InitialCoulombicEfficiency), f.InitialCoulombicEfficiency);
                    w.WriteNumber(nameof(f.CoulombicEfficiency), f.CoulombicEfficiency);
                    w.WriteNumber(nameof(f.CathodeFadePerCycle), f.CathodeFadePerCycle);
                    w.WriteNumber(nameof(f.AreaSpecificResistanceOhmSquareCentimetres), f.AreaSpecificResistanceOhmSquareCentimetres);
                }
                if (fit.HalfCell is { } h)
                {
                    w.WriteNumber(nameof(h.InitialCoulombicEfficiency), h.InitialCoulombicEfficiency);
                    w.WriteNumber(nameof(h.CoulombicEfficiency), h.CoulombicEfficiency);
                    w.WriteNumber(nameof(h.CriticalCurrentDensityMilliampsPerSquareCentimetre), h.CriticalCurrentDensityMilliampsPerSquareCentimetre);
                }
                w.WriteEndObject();
                var r = fit.Residuals;
                w.WritePropertyName("residuals");
                w.WriteStartObject();
                w.WriteNumber("capacity_rms_relative", double.IsFinite(r.CapacityRmsRelative) ? r.CapacityRmsRelative : 0);
                w.WriteNumber("ice", r.Ice);
                w.WriteNumber("average_ce", r.AverageCe);
                w.WriteNumber("fade_per_cycle", r.FadePerCycle);
                w.WriteNumber("polarization_V", r.PolarizationVolts);
                w.WriteNumber("cycles_compared", r.CyclesCompared);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The stored fit applied to the channel's configured parameters; null when there is none (or it is unreadable or for another chemistry).</summary>
    public TwinCalibrationResult? Load(string channelId, ChannelOptions configured)
    {
        ArgumentNullException.ThrowIfNull(configured);
        var path = PathFor(channelId);
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }
            // Regular files of at most 64 KiB only: a FIFO in its place (length 0) would block File.ReadAllBytes for ever.
            using var document = JsonDocument.Parse(BoundedFile.ReadAllBytes(path, 64 * 1024));
            var root = document.RootElement;
            if (!Enum.TryParse<CellChemistry>(root.GetProperty("chemistry").GetString(), out var chemistry) || chemistry != configured.Cell.Chemistry)
            {
                return null;
            }
            var p = root.GetProperty("parameters");
            var r = root.GetProperty("residuals");
            var residuals = new TwinResiduals(r.GetProperty("capacity_rms_relative").GetDouble(), r.GetProperty("ice").GetDouble(),
                r.GetProperty("average_ce").GetDouble(), r.GetProperty("fade_per_cycle").GetDouble(), r.GetProperty("polarization_V").GetDouble(),
                r.GetProperty("cycles_compared").GetInt32());
            if (chemistry == CellChemistry.AnodeFreeFullCell)
            {
                var f = configured.Simulation.EffectiveFullCell;
                return new TwinCalibrationResult(chemistry, f with
                {
                    CathodeCapacityMilliampHoursPerSquareCentimetre = Positive(p, nameof(f.CathodeCapacityMilliampHoursPerSquareCentimetre), 0, 100),
                    InitialCoulombicEfficiency = Positive(p, nameof(f.InitialCoulombicEfficiency), 0, 1),
                    CoulombicEfficiency = Positive(p, nameof(f.CoulombicEfficiency), 0, 1),
                    CathodeFadePerCycle = Positive(p, nameof(f.CathodeFadePerCycle), -1e-12, 1),
                    AreaSpecificResistanceOhmSquareCentimetres = Positive(p, nameof(f.AreaSpecificResistanceOhmSquareCentimetres), 0, 1e6),
                }, null, residuals);
            }
            var h = configured.Simulation.EffectiveHalfCell;
            return new TwinCalibrationResult(chemistry, null, h with
            {
                InitialCoulombicEfficiency = Positive(p, nameof(h.InitialCoulombicEfficiency), 0, 1),
                CoulombicEfficiency = Positive(p, nameof(h.CoulombicEfficiency), 0, 1),
                CriticalCurrentDensityMilliampsPerSquareCentimetre = Positive(p, nameof(h.CriticalCurrentDensityMilliampsPerSquareCentimetre), 0, 1000),
            }, residuals);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static double Positive(JsonElement parameters, string name, double above, double atMost)
    {
        var value = parameters.GetProperty(name).GetDouble();
        return double.IsFinite(value) && value > above && value <= atMost ? value : throw new FormatException($"{name} {value} out of range");
    }
}
