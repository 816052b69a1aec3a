using Rig.Service.Thermal;

namespace Rig.Service.Recording;

/// <summary>
/// How the cell's heater zone was being controlled when a test started, stored with the test's start record so a
/// later reader can tell which gains held the temperature (an accepted autotune changes the thermal history).
/// </summary>
/// <param name="ZoneId">The zone heating the channel.</param>
/// <param name="SetpointCelsius">Its set-point then.</param>
/// <param name="Gains">The PID gains in use then.</param>
/// <param name="Source">Where the gains came from: "configuration", "operator" (set-gains), "autotune" (accept-gains) or "restored" (saved at run time before a restart).</param>
/// <param name="ChangedAt">When they were set at run time; null for the configuration's.</param>
public sealed record HeaterProvenance(string ZoneId, double SetpointCelsius, PidGains Gains, string Source, DateTimeOffset? ChangedAt);
