using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rig.Archive.Gaps;

/// <summary>
/// The body of the rig's "replay" command (Rig.Service's ReplayCommand: {"stream":"ch1/telemetry","from_seq":101,
/// "to_seq":250}), asking a rig to send a missing range of one stream again. Written by generated code, as the rig
/// writes its own JSON: nothing here depends on reflection a trimmed build would remove.
/// </summary>
internal sealed record ReplayRequest(
    [property: JsonPropertyName("stream")] string Stream,
    [property: JsonPropertyName("from_seq")] long FromSeq,
    [property: JsonPropertyName("to_seq")] long ToSeq)
{
    public byte[] ToUtf8Json() => JsonSerializer.SerializeToUtf8Bytes(this, ReplayRequestJsonContext.Default.ReplayRequest);
}

[JsonSerializable(typeof(ReplayRequest))]
internal sealed partial class ReplayRequestJsonContext : JsonSerializerContext;
