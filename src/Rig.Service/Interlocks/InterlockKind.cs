namespace Rig.Service.Interlocks;

/// <summary>What holds a channel. Each kind has one source of truth and one way to clear (see <see cref="InterlockRules"/>).</summary>
public enum InterlockKind
{
    /// <summary>The e-stop input went active. Rig-wide; holds heaters too; latched until an operator clears it after release.</summary>
    EmergencyStop,
    /// <summary>An operator's "all-off": every output and heater off. Rig-wide; holds heaters; latched.</summary>
    AllOff,
    /// <summary>The channel's heater zone tripped (heater off and latched); clears when the zone's fault is cleared.</summary>
    ZoneTripped,
    /// <summary>The zone's temperature is older than its limit: the cell's temperature is not known. Clears on a fresh reading.</summary>
    ZoneStale,
    /// <summary>Stack pressure outside its window (or fault band). Clears when the pressure is back in the window.</summary>
    PressureOutOfWindow,
    /// <summary>Force on the clamp beyond its rating. Clears when the force is back within rating.</summary>
    OverForce,
    /// <summary>No force reading (load cell lost). Clears when the load cell answers again.</summary>
    ClampFault,
    /// <summary>The instrument failed, timed out or did not do what it was told. Clears when it answers again (output left off).</summary>
    InstrumentFault,
    /// <summary>An operator put the channel on hold. Latched.</summary>
    OperatorHold,
    /// <summary>The store cannot be written (disk full, read-only, I/O error): no unrecorded cycling. Rig-wide; clears when a write succeeds.</summary>
    StoreUnavailable,
    /// <summary>Something threw inside the channel's loop (a bug): the channel was put in its safe state. Latched.</summary>
    LoopFailed,
    /// <summary>The channel's lead relay failed to switch: where the cell's leads are is not known. Latched.</summary>
    LeadSwitchFault,
}
