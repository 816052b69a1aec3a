using System.Text.Json;

namespace Rig.Archive.Ingest;

/// <summary>
/// One received message, parsed, with the way to acknowledge it. The acknowledgement (MQTT PUBACK) is sent only
/// after the batch holding the message is committed to PostgreSQL, so a crash before the commit leaves the message
/// in the broker's session for redelivery, and one after it is a duplicate that the primary keys drop.
/// </summary>
public sealed class ArchiveMessage
{
    public ArchiveMessage(RigTopic topic, byte[] payload, DateTimeOffset receivedAt, Func<CancellationToken, Task>? acknowledge)
    {
        Topic = topic;
        Payload = payload;
        ReceivedAt = receivedAt;
        Acknowledge = acknowledge;
    }

    public RigTopic Topic { get; }

    public byte[] Payload { get; }

    public DateTimeOffset ReceivedAt { get; }

    /// <summary>Sends the PUBACK; null for messages that need none (QoS 0, or made by a test or the benchmark).</summary>
    public Func<CancellationToken, Task>? Acknowledge { get; }

    /// <summary>The payload's JSON, or null when it is not a JSON object (status is plain text).</summary>
    public JsonElement? Json()
    {
        try
        {
            using var doc = JsonDocument.Parse(Payload);
            return doc.RootElement.ValueKind == JsonValueKind.Object ? doc.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
