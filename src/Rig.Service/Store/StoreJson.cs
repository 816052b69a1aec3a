using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rig.Service.Store;

/// <summary>How records are kept as JSON in the store: property names as in the records, enums by name.</summary>
internal static class StoreJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.General)
    {
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        // Cell builds and messages stay readable in the store and in exported metadata (TelemetryPayloads.WriterOptions).
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
