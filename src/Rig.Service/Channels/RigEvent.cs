using Rig.Drivers.Faults;

namespace Rig.Service.Channels;

/// <summary>Something an operator should know about: a fault, an alarm, a state change.</summary>
/// <param name="Timestamp">Rig time it happened.</param>
/// <param name="Severity">How urgent.</param>
/// <param name="Source">Channel id, zone id, or "rig".</param>
/// <param name="Code">Stable machine-readable code, e.g. "fault.instrument_link_lost".</param>
/// <param name="Message">What happened, for a person.</param>
/// <param name="Fault">The hardware fault behind it, if any.</param>
public sealed record RigEvent(
    DateTimeOffset Timestamp,
    RigEventSeverity Severity,
    string Source,
    string Code,
    string Message,
    HardwareFault? Fault = null)
{
    /// <summary>The event code for a hardware fault kind: "fault." + snake_case kind.</summary>
    public static string CodeFor(FaultKind kind) =>
        "fault." + string.Concat(kind.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}

public enum RigEventSeverity
{
    Info,
    Warning,
    Alarm,
}
