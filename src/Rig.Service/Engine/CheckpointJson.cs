using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rig.Service.Engine;

/// <summary>
/// The engine state's JSON. Strict: a NaN or infinity is refused (it is a bookkeeping bug, not a value to carry
/// forward); the host turns the refusal into an alarm, never an exception out of a channel loop.
/// </summary>
public static class CheckpointJson
{
    public static string Serialize(EngineState state) => JsonSerializer.Serialize(state, CheckpointJsonContext.Default.EngineState);

    public static EngineState? Deserialize(string json) => JsonSerializer.Deserialize(json, CheckpointJsonContext.Default.EngineState);
}

/// <summary>Source-generated (strict numbers, the default): no reflection, so a trimmed build keeps every field.</summary>
[JsonSerializable(typeof(EngineState))]
internal sealed partial class CheckpointJsonContext : JsonSerializerContext;
