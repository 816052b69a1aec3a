namespace Rig.Service.Interlocks;

/// <summary>The one table of what each interlock holds and what clears it.</summary>
public static class InterlockRules
{
    /// <summary>Cleared only by an operator command, never by a reading.</summary>
    public static bool IsLatched(InterlockKind kind) =>
        kind is InterlockKind.EmergencyStop or InterlockKind.AllOff or InterlockKind.ZoneTripped or InterlockKind.OperatorHold or InterlockKind.LoopFailed
            or InterlockKind.LeadSwitchFault;

    /// <summary>Holds every heater off as well as every output (the zone loops ask this).</summary>
    public static bool HoldsHeaters(InterlockKind kind) => kind is InterlockKind.EmergencyStop or InterlockKind.AllOff;

    public static string ClearedBy(InterlockKind kind, string source) => kind switch
    {
        InterlockKind.EmergencyStop => "clears by operator clear-fault once the e-stop is released",
        InterlockKind.AllOff => "clears by operator clear-fault",
        InterlockKind.ZoneTripped => $"clears when zone {source}'s latched fault is cleared (clear-fault)",
        InterlockKind.ZoneStale => $"clears by itself when zone {source} reads again",
        InterlockKind.PressureOutOfWindow => "clears by itself when the stack pressure is back in its window",
        InterlockKind.OverForce => "clears by itself when the clamp force is back within rating",
        InterlockKind.ClampFault => $"clears by itself when {source} answers again",
        InterlockKind.InstrumentFault => $"clears by itself when {source} answers again (output left off)",
        InterlockKind.OperatorHold => "clears by operator clear-fault",
        InterlockKind.StoreUnavailable => "clears by itself when the store can be written again",
        InterlockKind.LoopFailed => "clears by operator clear-fault after reading the service log",
        InterlockKind.LeadSwitchFault => $"clears by operator clear-fault after checking relay {source} and its GPIO line (the SMU stays off until the relay switches back)",
        _ => "clears by operator clear-fault",
    };
}
