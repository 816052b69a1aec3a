namespace Rig.Service.Telemetry;

/// <summary>The documented topic tree: everything under "&lt;prefix&gt;/&lt;rig&gt;/".</summary>
public sealed record TopicTree(string Prefix, string RigId)
{
    public string Root => $"{Prefix}/{RigId}";

    /// <summary>Retained "online" (birth) / "offline" (last will, and on a clean stop).</summary>
    public string Status => $"{Root}/status";

    public string Events => $"{Root}/events";

    /// <summary>Retained: what the command intake refused since start (busy, rate limited, stale), per client.</summary>
    public string Health => $"{Root}/health";

    public string Telemetry(string channelId) => $"{Root}/{channelId}/telemetry";

    public string State(string channelId) => $"{Root}/{channelId}/state";

    public string Cycles(string channelId) => $"{Root}/{channelId}/cycles";

    /// <summary>A heater zone's retained state: temperature, set-point, gains, autotune progress and proposal.</summary>
    public string ZoneState(string zoneId) => $"{Root}/zone/{zoneId}/state";

    /// <summary>Commands: one level per verb, so "cmd/+" is the subscription.</summary>
    public string Command(string verb) => $"{Root}/cmd/{verb}";

    public string CommandFilter => $"{Root}/cmd/+";

    /// <summary>Where replies go when a command carried no MQTT 5 response topic.</summary>
    public string DefaultReplies => $"{Root}/replies";

    /// <summary>An outbox topic (relative) made absolute.</summary>
    public string Absolute(string relativeTopic) => $"{Root}/{relativeTopic}";
}
