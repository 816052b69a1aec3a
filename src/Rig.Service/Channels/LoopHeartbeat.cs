using System.Collections.Concurrent;

namespace Rig.Service.Channels;

/// <summary>
/// When each control loop (channel or heater zone) last finished a tick. The systemd watchdog pings only while
/// every loop that has started is still ticking, so a hung loop gets the process restarted instead of a healthy
/// process with a dead loop being kept alive. A tick that ended in a device fault still counts: the loop ran,
/// put its hardware in the safe state and will try again.
/// </summary>
public sealed class LoopHeartbeat
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastTick = new(StringComparer.Ordinal);

    /// <summary>Records that the loop <paramref name="loopId"/> finished a tick at <paramref name="at"/>.</summary>
    public void Beat(string loopId, DateTimeOffset at) => _lastTick[loopId] = at;

    /// <summary>The last tick of every loop seen so far.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> LastTicks => _lastTick;

    /// <summary>
    /// The loops whose last tick is older than <paramref name="staleAfter"/> at <paramref name="now"/>; empty when
    /// all are fresh. No loop at all counts as stale ("no loop has ticked yet"): nothing runs the rig.
    /// </summary>
    public IReadOnlyList<string> StaleLoops(DateTimeOffset now, TimeSpan staleAfter)
    {
        if (_lastTick.IsEmpty)
        {
            return ["(no loop has ticked yet)"];
        }
        return [.. _lastTick.Where(t => now - t.Value > staleAfter).Select(t => t.Key).Order(StringComparer.Ordinal)];
    }
}
