using System.Text.Json;

namespace Rig.Archive.Ingest;

/// <summary>
/// One received message with what its acknowledgement needs: the connection it arrived on and its packet identifier.
/// The acknowledgement (MQTT PUBACK) is sent only after the batch holding the message is committed to PostgreSQL
/// (<see cref="LabSubscription.AcknowledgeAsync"/>), so a crash before the commit leaves the message in the broker's
/// session for redelivery, and one after it is a duplicate that the primary keys drop. Nothing of MQTTnet's per-message
/// objects is kept while the batch is written.
/// </summary>
public sealed class ArchiveMessage
{
    public ArchiveMessage(RigTopic topic, byte[] payload, DateTimeOffset receivedAt, ArchiveChannel? connection, ushort packetId = 0)
    {
        Topic = topic;
        Payload = payload;
        ReceivedAt = receivedAt;
        Connection = packetId == 0 ? null : connection;
        PacketId = packetId;
    }

    public RigTopic Topic { get; }

    public byte[] Payload { get; }

    public DateTimeOffset ReceivedAt { get; }

    /// <summary>The connection to acknowledge on; null for messages that need no PUBACK (QoS 0, or made by a test or the benchmark).</summary>
    public ArchiveChannel? Connection { get; }

    /// <summary>The PUBLISH packet's identifier (0 at QoS 0).</summary>
    public ushort PacketId { get; }

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
