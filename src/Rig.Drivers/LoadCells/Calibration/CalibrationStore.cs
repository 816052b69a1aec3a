using System.Text.Json.Serialization;
using Rig.Drivers.Persistence;
using UnitsNet;

namespace Rig.Drivers.LoadCells.Calibration;

/// <summary>
/// One JSON file per clamp (&lt;directory&gt;/&lt;channel&gt;.json), written whole or not at all (<see cref="AtomicJsonFile"/>):
/// a power cut leaves the old calibration or the new one, never half of either.
/// </summary>
public sealed partial class CalibrationStore
{
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
        var stored = AtomicJsonFile.Read(path, Json.StoredCalibration) ?? throw new InvalidDataException($"{path} is empty");
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
        AtomicJsonFile.Write(PathFor(channelId), new StoredCalibration(channelId, device, calibration.ZeroCounts, calibration.CountsPerNewton,
            calibration.TaredAt, calibration.SpannedAt, calibration.ReferenceLoad?.Newtons), Json.StoredCalibration);
    }

    private static readonly CalibrationJsonContext Json = new(AtomicJsonFile.CreateOptions());

    internal sealed record StoredCalibration(
        string Channel,
        string Device,
        double ZeroCounts,
        double CountsPerNewton,
        DateTimeOffset? TaredAt,
        DateTimeOffset? SpannedAt,
        double? ReferenceLoadNewtons);

    /// <summary>Source-generated: the file's shape is known at compile time, so a trimmed build keeps it.</summary>
    [JsonSerializable(typeof(StoredCalibration))]
    internal sealed partial class CalibrationJsonContext : JsonSerializerContext;
}
