namespace Rig.Service.Store;

/// <summary>
/// One message waiting in (or sent from) the outbox. <paramref name="Stream"/> is what the sequence number
/// counts ("ch1/telemetry", "events"); <paramref name="Topic"/> is relative to "&lt;prefix&gt;/&lt;rig&gt;/".
/// </summary>
public sealed record OutboxMessage(long Id, string Stream, long Seq, string Topic, byte[] Payload, bool Retain, DateTimeOffset CreatedAt);
