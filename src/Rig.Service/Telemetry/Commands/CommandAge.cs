using System.Globalization;
using MQTTnet;

namespace Rig.Service.Telemetry.Commands;

/// <summary>
/// How old a command may be when it is about to run. MQTT carries no send time, so a command states its age in two
/// standard-compatible ways (docs/telemetry.md, "Rate limit and age"): its MQTT 5 Message Expiry Interval (the broker
/// and the bridge drop it when that runs out in their queues; the service refuses it when it ran out in its own
/// queue) and, optionally, a user property "sent_at" (ISO 8601 with offset), refused when older than
/// <see cref="MqttOptions.MaxCommandAge"/> or more than <see cref="MaxClockAhead"/> in the future. Urgent verbs
/// (abort, pause, all-off) always run: stopping late is still stopping.
/// </summary>
public static class CommandAge
{
    /// <summary>The MQTT 5 user property that states when a command was sent.</summary>
    public const string SentAtProperty = "sent_at";

    /// <summary>How far a sender's clock may be ahead of the rig's.</summary>
    public static readonly TimeSpan MaxClockAhead = TimeSpan.FromMinutes(1);

    /// <summary>Null when the command is young enough to run, else why it is refused.</summary>
    /// <param name="verb">The command's verb.</param>
    /// <param name="message">The command.</param>
    /// <param name="queuedFor">How long it waited in the service since it arrived; null when unknown.</param>
    /// <param name="now">The rig's clock.</param>
    /// <param name="maxAge">Mqtt:MaxCommandAge.</param>
    public static string? Problem(string verb, MqttApplicationMessage message, TimeSpan? queuedFor, DateTimeOffset now, TimeSpan maxAge)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (CommandRateLimiter.IsUrgent(verb))
        {
            return null;
        }
        if (message.MessageExpiryInterval > 0 && queuedFor is { } waited && waited.TotalSeconds >= message.MessageExpiryInterval)
        {
            return $"stale: the command's message expiry ({message.MessageExpiryInterval} s) ran out while it waited to run; it was not run";
        }
        var present = message.UserProperties?.Any(p => p.Name == SentAtProperty) ?? false;
        if (!present)
        {
            return null;
        }
        var sentAt = CommandRateLimiter.UserProperty(message, SentAtProperty) ?? "";
        if (sentAt.Length > 40 || !DateTimeOffset.TryParse(sentAt, CultureInfo.InvariantCulture, DateTimeStyles.None, out var sent)
            || !HasOffset(sentAt))
        {
            return "the user property sent_at must be an ISO 8601 time with an offset (e.g. 2026-12-03T06:00:00Z); the command was not run";
        }
        var age = now - sent;
        if (age > maxAge)
        {
            return $"stale: sent {Describe(age)} ago, older than the rig's limit of {Describe(maxAge)} (Mqtt:MaxCommandAge); it was not run";
        }
        if (-age > MaxClockAhead)
        {
            return $"sent_at is {Describe(-age)} ahead of the rig's clock (more than {Describe(MaxClockAhead)}); check the sender's clock; the command was not run";
        }
        return null;
    }

    private static bool HasOffset(string text) =>
        text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');

    private static string Describe(TimeSpan span) =>
        span.TotalSeconds < 120 ? $"{span.TotalSeconds:0} s" : span.TotalMinutes < 120 ? $"{span.TotalMinutes:0} min" : $"{span.TotalHours:0.#} h";
}
