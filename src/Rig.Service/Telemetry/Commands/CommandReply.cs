using System.Text.Json;
using Rig.Service.Control;

namespace Rig.Service.Telemetry.Commands;

/// <summary>The answer to a command: {"ok", "verb", "message", "id"?, "data"?}.</summary>
public sealed record CommandReply(bool Ok, string Verb, string Message, string? Id = null, Action<Utf8JsonWriter>? Data = null)
{
    /// <summary>
    /// A reply that comes later: the processor answers on the command's response topic when this completes, and
    /// takes the next command meanwhile (a dry run runs for seconds; an abort must not wait behind it).
    /// </summary>
    public Task<CommandReply>? Deferred { get; init; }

    public static CommandReply Later(string verb, Task<CommandReply> completion) => new(true, verb, "running") { Deferred = completion };

    public static CommandReply Error(string verb, string why) => new(false, verb, why);

    public static CommandReply From(string verb, CommandResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new(result.Accepted, verb, result.Message, result.Id);
    }

    public byte[] ToJson() => TelemetryPayloads.Write(w =>
    {
        w.WriteBoolean("ok", Ok);
        w.WriteString("verb", Verb);
        w.WriteString("message", Message);
        if (Id is not null)
        {
            w.WriteString("id", Id);
        }
        if (Data is not null)
        {
            w.WritePropertyName("data");
            Data(w);
        }
    });
}
