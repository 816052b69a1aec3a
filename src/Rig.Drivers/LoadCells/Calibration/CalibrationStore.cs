using System.Text.Json;
using UnitsNet;

namespace Rig.Drivers.LoadCells.Calibration;

/// <summary>
/// One JSON file per clamp (&lt;directory&gt;/&lt;channel&gt;.json). Written to a temporary file, flushed to disk,
/// then renamed over the old one: a power cut leaves the old calibration or the new one, never half of either.
/// </summary>
public sealed class CalibrationStore
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public CalibrationStore(string directory)
    {
        Directory = directory ?? throw new ArgumentNullException(nameof(directory));
    }

    public string Directory { get; }

    public string PathFor(string channelId) => Path.Combine(Directory, channelId + ".json");

    /// <summary>The stored calibration, or null when the clamp was never calibrated.</summary>
    public LoadCellCalibration? Load(string channelId)
    {
        var path = PathFor(channelId);
        if (!File.Exists(path))
        {
            return null;
        }
        var stored = JsonSerializer.Deserialize<StoredCalibration>(File.ReadAllText(path), Json)
            ?? throw new InvalidDataException($"{path} is empty");
        if (!double.IsFinite(stored.CountsPerNewton) || stored.CountsPerNewton == 0 || !double.IsFinite(stored.ZeroCounts))
        {
            throw new InvalidDataException($"{path}: CountsPerNewton must be finite and non-zero, ZeroCounts finite");
        }
        return new LoadCellCalibration(stored.ZeroCounts, stored.CountsPerNewton, stored.TaredAt, stored.SpannedAt,
            stored.ReferenceLoadNewtons is { } newtons ? Force.FromNewtons(newtons) : null);
    }

    public void Save(string channelId, string device, LoadCellCalibration calibration)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        System.IO.Directory.CreateDirectory(Directory);
        var path = PathFor(channelId);
        var temporary = path + ".tmp";
        var stored = new StoredCalibration(channelId, device, calibration.ZeroCounts, calibration.CountsPerNewton,
            calibration.TaredAt, calibration.SpannedAt, calibration.ReferenceLoad?.Newtons);
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, stored, Json);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    private sealed record StoredCalibration(
        string Channel,
        string Device,
        double ZeroCounts,
        double CountsPerNewton,
        DateTimeOffset? TaredAt,
        DateTimeOffset? SpannedAt,
        double? ReferenceLoadNewtons);
}
