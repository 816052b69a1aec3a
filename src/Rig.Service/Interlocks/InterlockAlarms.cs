using Rig.Service.Channels;

namespace Rig.Service.Interlocks;

/// <summary>Turns every interlock change into a <see cref="RigEvent"/>: an alarm when raised, a record of who cleared it when cleared.</summary>
public static class InterlockAlarms
{
    public static void Attach(InterlockBoard board, RigEvents events)
    {
        ArgumentNullException.ThrowIfNull(board);
        ArgumentNullException.ThrowIfNull(events);
        board.Changed += change => events.Raise(EventFor(change));
    }

    public static RigEvent EventFor(InterlockChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var interlock = change.Interlock;
        return change.Raised
            ? new RigEvent(change.At, RigEventSeverity.Alarm, change.Scope, "interlock.raised",
                $"held by {interlock.Kind} from {interlock.Source}: {interlock.Reason}; output off, tests paused; {interlock.ClearedBy}")
            : new RigEvent(change.At, RigEventSeverity.Info, change.Scope, "interlock.cleared",
                $"{interlock.Kind} from {interlock.Source} cleared by {change.ClearedBy} (held since {interlock.Since:u}); paused tests stay paused until resumed");
    }
}
