using Rig.Service.Recording;

namespace Rig.Service.Thermal;

/// <summary>The gains and set-point a zone runs with now, and where they came from, for test records. Thread-safe.</summary>
public interface IHeaterZoneProvenance
{
    /// <summary>Null for an unknown zone (a channel without a heater zone).</summary>
    HeaterProvenance? Current(string zoneId);
}
