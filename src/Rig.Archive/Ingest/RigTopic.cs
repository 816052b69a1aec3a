namespace Rig.Archive.Ingest;

/// <summary>What a message on the lab broker is, from its topic (docs/telemetry.md, "Topic tree").</summary>
public enum MessageKind
{
    Telemetry,
    Cycle,
    State,
    Event,
    Status,
    Info,
    Spectrum,
}

/// <summary>
/// A rig topic taken apart: "&lt;prefix&gt;/&lt;rig&gt;/&lt;channel&gt;/telemetry|cycles|state|spectrum" and
/// "&lt;prefix&gt;/&lt;rig&gt;/events|status|info". <see cref="Stream"/> is the rig's sequence stream name
/// ("ch1/telemetry", "events"), the key of idempotence with the rig id and seq.
/// </summary>
public sealed record RigTopic(MessageKind Kind, string Rig, string Channel, string Stream)
{
    /// <summary>Streams whose seq has no gaps by design (state and history replace unsent versions, so theirs may skip).</summary>
    public bool IsGapFree => Kind is MessageKind.Telemetry or MessageKind.Cycle or MessageKind.Event or MessageKind.Spectrum;

    public static RigTopic? Parse(string topic, string prefix)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var parts = topic.Split('/');
        if (parts.Length < 3 || parts[0] != prefix || parts[1].Length == 0)
        {
            return null;
        }
        var rig = parts[1];
        if (parts.Length == 3)
        {
            return parts[2] switch
            {
                "events" => new RigTopic(MessageKind.Event, rig, "", "events"),
                "status" => new RigTopic(MessageKind.Status, rig, "", "status"),
                "info" => new RigTopic(MessageKind.Info, rig, "", "info"),
                _ => null,
            };
        }
        if (parts.Length != 4 || parts[2].Length == 0 || parts[2] == "cmd")
        {
            return null;
        }
        var channel = parts[2];
        MessageKind? kind = parts[3] switch
        {
            "telemetry" => MessageKind.Telemetry,
            "cycles" => MessageKind.Cycle,
            "state" => MessageKind.State,
            "spectrum" => MessageKind.Spectrum,
            _ => null,
        };
        return kind is { } k ? new RigTopic(k, rig, channel, $"{channel}/{parts[3]}") : null;
    }
}
