namespace Rig.Drivers.Impedance.LeadSwitching;

/// <summary>
/// Puts a cell's leads on the SMU or on the impedance analyser (hardware/impedance-wiring.md, wiring B). The SMU side
/// is the fail-safe one: a de-energised relay, a process that died, a Pi that lost power all leave the cell on the SMU,
/// whose output off is the safe state anyway. Each switch returns only after the contacts have settled (operate or
/// release time plus bounce), so the caller may drive the leads at once. Switch only with both outputs off.
/// A switch that fails throws <see cref="LeadSwitchFaultException"/> (a <see cref="Faults.HardwareFaultException"/>) and leaves <see cref="Position"/>
/// <see cref="LeadPosition.Unknown"/>. Thread-safe: the impedance runner and the rig's safe-state path may both switch.
/// </summary>
public interface ILeadSwitch : IDisposable
{
    /// <summary>The relay as configured ("gpio24-relay"), for logs and faults.</summary>
    string Device { get; }

    /// <summary>Where the leads are, as far as the driver knows (what it last switched to successfully).</summary>
    LeadPosition Position { get; }

    /// <summary>Energises the relay: the cell goes to the analyser. Returns once the contacts have settled.</summary>
    ValueTask ConnectAnalyzerAsync(CancellationToken cancellationToken);

    /// <summary>De-energises the relay: the cell goes back to the SMU. Returns once the contacts have settled.</summary>
    ValueTask ConnectSmuAsync(CancellationToken cancellationToken);
}
