using Rig.Service.Channels;
using Rig.Service.Control;
using Rig.Service.Thermal;

namespace Rig.Service.Interlocks;

/// <summary>
/// The operator's side of the interlocks: "all-off" (every output and heater off, held until cleared) and the
/// explicit clearing of latched interlocks, each recorded with who cleared it. Conditions that a reading decides
/// (pressure, clamp, instrument, zone age, store) are not cleared here: they clear when their source reads good.
/// </summary>
public sealed class InterlockCommands
{
    private readonly RigState _state;
    private readonly RigSafety _safety;
    private readonly IHeaterZoneControl _zones;
    private readonly TimeProvider _time;

    public InterlockCommands(RigState state, RigSafety safety, IHeaterZoneControl zones, TimeProvider time)
    {
        _state = state;
        _safety = safety;
        _zones = zones;
        _time = time;
    }

    /// <summary>Raises the rig-wide all-off interlock first (so no loop turns anything back on), then turns every output and heater off.</summary>
    public async Task<CommandResult> AllOffAsync(string reason, CancellationToken cancellationToken)
    {
        _state.Interlocks.Raise(InterlockBoard.RigWide, new Interlock(InterlockKind.AllOff, "operator", _time.GetUtcNow(), $"all-off: {reason}"));
        var confirmed = await _safety.MakeSafeAsync($"all-off ({reason})");
        return CommandResult.Ok(confirmed
            ? "every output and heater off; held until clear-fault"
            : "every output and heater commanded off, but not every device confirmed (see the alarms); held until clear-fault");
    }

    /// <summary>
    /// Clears the latched interlocks that hold <paramref name="channelId"/> (operator hold, loop failure) and the
    /// rig-wide ones (all-off; the e-stop once released). With a null channel only the rig-wide ones.
    /// A zone's trip is cleared through its zone (<see cref="ClearZone"/>), which checks the zone is safe again.
    /// </summary>
    public CommandResult ClearLatched(string? channelId)
    {
        var now = _time.GetUtcNow();
        var cleared = new List<string>();
        string? refused = null;
        foreach (var interlock in _state.Interlocks.InScope(InterlockBoard.RigWide).Where(i => i.Latched))
        {
            if (interlock.Kind == InterlockKind.EmergencyStop && _state.EmergencyStopActive)
            {
                refused = "the e-stop is still pressed: release it first";
                continue;
            }
            cleared.AddRange(_state.Interlocks.Clear(InterlockBoard.RigWide, i => i == interlock, now, "operator (clear-fault)").Select(i => i.Kind.ToString()));
        }
        if (channelId is not null)
        {
            cleared.AddRange(_state.Interlocks.Clear(channelId, i => i.Latched && i.Kind != InterlockKind.ZoneTripped, now, "operator (clear-fault)")
                .Select(i => $"{i.Kind} ({i.Source})"));
        }
        if (cleared.Count == 0)
        {
            return CommandResult.Refused(refused ?? $"no latched interlock holds {(channelId is null ? "the rig" : $"channel {channelId}")}");
        }
        return CommandResult.Ok($"interlocks cleared: {string.Join(", ", cleared)}{(refused is null ? "" : $"; not cleared: {refused}")}");
    }

    /// <summary>Clears a zone's latched fault (and with it the zone-trip interlock of every channel it warms); works for a zone that warms no channel.</summary>
    public CommandResult ClearZone(string zoneId) => _zones.ClearFault(zoneId);

    /// <summary>What holds a channel now.</summary>
    public IReadOnlyList<Interlock> Active(string channelId) => _state.Interlocks.Active(channelId);
}
