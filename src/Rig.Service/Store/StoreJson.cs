using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Rig.Service.Recording;

namespace Rig.Service.Store;

/// <summary>
/// How records are kept as JSON in the store: property names as in the records, enums by name, human text unescaped.
/// Source-generated (<see cref="StoreJsonContext"/>): no reflection, so a trimmed build keeps every field it stores.
/// </summary>
internal static class StoreJson
{
    public static JsonSerializerOptions Options { get; } = Create(indented: false);

    /// <summary>For files a person opens (the BDF export's metadata).</summary>
    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    /// <summary>The metadata of <typeparamref name="T"/> under <see cref="Options"/>.</summary>
    public static JsonTypeInfo<T> Info<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.General)
        {
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            // Enums by name: the context's UseStringEnumConverter gives each enum a JsonStringEnumConverter<TEnum>. Not the
            // non-generic converter here: it makes its converters at run time, which a Native AOT build cannot (issue 19).
            // Cell builds and messages stay readable in the store and in exported metadata (TelemetryPayloads.WriterOptions).
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            WriteIndented = indented,
            TypeInfoResolver = StoreJsonContext.Default,
        };
        options.MakeReadOnly();
        return options;
    }
}

/// <summary>Every type the store writes as JSON; enums by name (as the reflection-based options did).</summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(TestStartRecord))]
[JsonSerializable(typeof(TestEndRecord))]
[JsonSerializable(typeof(CycleSummary))]
[JsonSerializable(typeof(ClampCalibrationRecord))]
[JsonSerializable(typeof(Dictionary<string, object?>))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;
