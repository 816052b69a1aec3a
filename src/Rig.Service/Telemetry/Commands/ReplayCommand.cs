using Rig.Service.Configuration;
using Rig.Service.Store;

namespace Rig.Service.Telemetry.Commands;

/// <summary>
/// "replay": {"stream":"ch1/telemetry","from_seq":101,"to_seq":250} sends those messages of a gap-free stream
/// (&lt;channel&gt;/telemetry, &lt;channel&gt;/cycles, &lt;channel&gt;/spectrum, events) again from the outbox, for a consumer (the lab archive)
/// that found them missing. The reply says which of them the rig still held.
/// </summary>
internal static class ReplayCommand
{
    /// <summary>Most messages one request may ask for (a day of 8 channels at 1 Hz is ~700 k; ask in pieces).</summary>
    public const long MaxRange = 1_000_000;

    public static CommandReply Handle(RigStore store, RigOptions rig, CommandArguments args)
    {
        string? why = null;
        var stream = args.String("stream", true, ref why);
        var from = args.Number("from_seq", true, ref why);
        var to = args.Number("to_seq", true, ref why);
        if (why is null && !IsReplayable(stream!, rig))
        {
            why = $"stream '{stream}' cannot be replayed (give events, <channel>/telemetry, <channel>/cycles or <channel>/spectrum; channels: {string.Join(", ", rig.Channels.Keys)})";
        }
        if (why is null && (from < 1 || to < from || from != Math.Floor(from!.Value) || to != Math.Floor(to!.Value)))
        {
            why = "from_seq and to_seq must be whole numbers with 1 <= from_seq <= to_seq";
        }
        if (why is null && to - from + 1 > MaxRange)
        {
            why = $"at most {MaxRange} messages per request";
        }
        if (why is not null)
        {
            return CommandReply.Error("replay", why);
        }
        var result = store.RequeueForReplay(stream!, (long)from!.Value, (long)to!.Value);
        return new CommandReply(true, "replay", $"{result.Requeued} messages of {stream} queued again", Data: w =>
        {
            w.WriteStartObject();
            w.WriteString("stream", stream);
            w.WriteNumber("requeued", result.Requeued);
            if (result.FirstHeld is { } first && result.LastHeld is { } last)
            {
                w.WriteNumber("first_held_seq", first);
                w.WriteNumber("last_held_seq", last);
            }
            else
            {
                w.WriteNull("first_held_seq");
                w.WriteNull("last_held_seq");
            }
            w.WriteEndObject();
        });
    }

    private static bool IsReplayable(string stream, RigOptions rig)
    {
        if (stream == "events")
        {
            return true;
        }
        var slash = stream.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && rig.Channels.ContainsKey(stream[..slash]) && stream[(slash + 1)..] is "telemetry" or "cycles" or "spectrum";
    }
}
