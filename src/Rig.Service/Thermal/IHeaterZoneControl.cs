using Rig.Service.Control;
using UnitsNet;

namespace Rig.Service.Thermal;

/// <summary>
/// What operators (MQTT, CLI) may ask of the heater zones at run time. Every call validates first and returns a
/// <see cref="CommandResult"/>; a refused call changes nothing. Changes last until the service restarts (the
/// configuration file stays the source of the start-up values). Thread-safe.
/// </summary>
public interface IHeaterZoneControl
{
    /// <summary>Every zone's state now.</summary>
    IReadOnlyList<HeaterZoneStatus> Status();

    /// <summary>New target; refused at or above the zone's cut-off. Bumpless (see <see cref="PidController"/>).</summary>
    CommandResult SetSetpoint(string zoneId, Temperature setpoint);

    /// <summary>New PID gains; bumpless.</summary>
    CommandResult SetGains(string zoneId, PidGains gains);

    /// <summary>Un-latches a thermal fault so the heater may run again; refused while the zone is over its cut-off.</summary>
    CommandResult ClearFault(string zoneId);

    /// <summary>Starts a relay autotune around the current setpoint; refused while faulted or already tuning.</summary>
    CommandResult StartAutotune(string zoneId);

    /// <summary>Starts a relay autotune around <paramref name="target"/>; refused within 5 K of the cut-off, while faulted or already tuning.</summary>
    CommandResult StartAutotune(string zoneId, Temperature target);

    /// <summary>Stops a running autotune; the PID takes over again.</summary>
    CommandResult CancelAutotune(string zoneId);

    /// <summary>Applies the gains the last completed autotune proposed.</summary>
    CommandResult AcceptAutotune(string zoneId);

    /// <summary>Discards the last completed autotune's proposal; the gains in use stay.</summary>
    CommandResult RejectAutotune(string zoneId);
}

/// <summary>What a zone is doing.</summary>
public enum HeaterZoneMode
{
    /// <summary>PID holding the setpoint.</summary>
    Regulating,
    /// <summary>Relay autotune running.</summary>
    Autotuning,
    /// <summary>A thermal fault latched the heater off until an operator clears it.</summary>
    Faulted,
}

/// <summary>A zone's state for status displays and commands.</summary>
/// <param name="ZoneId">Zone id.</param>
/// <param name="Mode">What it is doing.</param>
/// <param name="Temperature">Last good reading, if any.</param>
/// <param name="Setpoint">Target.</param>
/// <param name="HeaterDuty">Duty last commanded.</param>
/// <param name="Gains">PID gains in use.</param>
/// <param name="Fault">The latched fault, if any.</param>
/// <param name="Proposal">The last completed autotune's proposal, not yet accepted.</param>
/// <param name="Autotune">The running autotune's progress, if one runs.</param>
/// <param name="CutOutOpen">The thermal cut-out switch: true open, false closed, null when none is fitted.</param>
public sealed record HeaterZoneStatus(
    string ZoneId,
    HeaterZoneMode Mode,
    Temperature? Temperature,
    Temperature Setpoint,
    Ratio HeaterDuty,
    PidGains Gains,
    Rig.Drivers.Faults.HardwareFault? Fault,
    AutotuneProposal? Proposal,
    AutotuneProgress? Autotune = null,
    bool? CutOutOpen = null);

/// <summary>A running relay autotune: it proposes gains after <paramref name="PeaksWanted"/> peaks.</summary>
/// <param name="Target">The temperature the relay switches around.</param>
/// <param name="Peaks">Peaks recorded so far.</param>
/// <param name="PeaksWanted">Peaks it needs (Rig:HeaterZones:&lt;id&gt;:Autotune:Peaks).</param>
/// <param name="StartedAt">Rig time it started.</param>
public sealed record AutotuneProgress(Temperature Target, int Peaks, int PeaksWanted, DateTimeOffset StartedAt);
