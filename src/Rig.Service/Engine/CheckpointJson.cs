using System.Text.Json;

namespace Rig.Service.Engine;

/// <summary>
/// The engine state's JSON. Strict: a NaN or infinity is refused (it is a bookkeeping bug, not a value to carry
/// forward); the host turns the refusal into an alarm, never an exception out of a channel loop.
/// </summary>
public static class CheckpointJson
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = false };

    public static string Serialize(EngineState state) => JsonSerializer.Serialize(state, Options);

    public static EngineState? Deserialize(string json) => JsonSerializer.Deserialize<EngineState>(json, Options);
}
