using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Rig.Service.Configuration;
using Rig.Service.Recording;

namespace Rig.Service.Export;

/// <summary>
/// The metadata sidecar of an exported test, <c>&lt;name&gt;.bdf.metadata.json</c> beside <c>&lt;name&gt;.bdf.csv</c> (the
/// name the BDF package's save() gives it). The BDF reader refuses top-level keys its Metadata model does not declare;
/// "extras" is the one it keeps verbatim, so everything of ours lives under <c>extras.anodefreerig</c>.
/// </summary>
public sealed record BdfSidecar(BdfSidecarExtras Extras);

public sealed record BdfSidecarExtras([property: JsonPropertyName("anodefreerig")] ExportedTestMetadata Test);

/// <summary>What a later reader needs to trust and reuse the file (docs/metrics.md, "The export"): read by <c>analyze</c>.</summary>
public sealed record ExportedTestMetadata(
    string OntologyVersion,
    string CurrentSignConvention,
    string TestTime,
    IReadOnlyDictionary<string, string> Columns,
    IReadOnlyList<CustomMeasurement> VariableMeasured,
    ExportedCell Cell,
    int FormationCycles,
    string CyclesFile,
    TestStartRecord Start,
    TestEndRecord? End);

/// <summary>
/// The cell, with what analyze needs to state areal and relative capacities. <c>NominalCapacityAmpHours</c> is null on
/// our rig (an anode-free cell has no rated capacity); another lab's file may set it.
/// </summary>
public sealed record ExportedCell(string Name, CellChemistry Chemistry, double AreaCm2, double? NominalCapacityAmpHours, CellBuildRecord Build);

/// <summary>A column outside the ontology's list, as the BDF custom-measurement proposal declares one.</summary>
public sealed record CustomMeasurement(string Name, string UnitText, string Description);

/// <summary>Snake-case JSON, as the BDF package's own sidecar fields are spelt; source-generated (trimmed publish).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UseStringEnumConverter = true)]
[JsonSerializable(typeof(BdfSidecar))]
internal sealed partial class BdfSidecarJsonContext : JsonSerializerContext;

/// <summary>How the sidecar is written: indented, readable text, over the generated context.</summary>
internal static class BdfSidecarJson
{
    public static JsonSerializerOptions Indented { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.General)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            // Enums by name through the context's JsonStringEnumConverter<TEnum>s (UseStringEnumConverter; AOT-safe).
            WriteIndented = true,
            // Cell builds and notes stay readable ("°C", quotes) for the person who opens the file.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            TypeInfoResolver = BdfSidecarJsonContext.Default,
        };
        options.MakeReadOnly();
        return options;
    }
}
