using System.Text.Json.Serialization;
using Rig.Drivers.Persistence;

namespace Rig.Service.Thermal;

/// <summary>
/// A zone's run-time settings (set-point and PID gains changed by an operator or an accepted autotune), kept in
/// &lt;state dir&gt;/heater/&lt;zone&gt;.json so that a restart (a watchdog kill, a power cut) keeps heating the cell to
/// what the operator asked for, not back to the configured value. Deleting the file returns the zone to its configuration.
/// </summary>
public sealed class ZoneSettingsStore(string directory)
{
    public string PathFor(string zoneId) => Path.Combine(directory, zoneId + ".json");

    /// <summary>The saved settings, or null when the zone never had run-time changes.</summary>
    public ZoneSettings? Load(string zoneId) => AtomicJsonFile.Read(PathFor(zoneId), Json.ZoneSettings);

    public void Save(string zoneId, ZoneSettings settings) => AtomicJsonFile.Write(PathFor(zoneId), settings, Json.ZoneSettings);

    private static readonly ZoneSettingsJsonContext Json = new(AtomicJsonFile.CreateOptions());
}

/// <summary>What <see cref="ZoneSettingsStore"/> keeps for a zone.</summary>
public sealed record ZoneSettings(double SetpointCelsius, PidGains Gains, DateTimeOffset SavedAt);

/// <summary>Source-generated: the file's shape is known at compile time, so a trimmed build keeps it.</summary>
[JsonSerializable(typeof(ZoneSettings))]
internal sealed partial class ZoneSettingsJsonContext : JsonSerializerContext;
