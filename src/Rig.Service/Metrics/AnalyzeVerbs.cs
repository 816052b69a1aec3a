using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rig.Service.Configuration;
using Rig.Service.Control;
using Rig.Service.Export;
using Rig.Service.Store;
using Rig.Service.Telemetry.Commands;

namespace Rig.Service.Metrics;

/// <summary>
/// MQTT "cmd/analyze": the engine's metrics on a BDF CSV, answered as the CLI's JSON summary. Either "test_id" (the
/// test is exported from the store first, then analysed from the file) or "file", a file name in
/// &lt;state dir&gt;/exports (another lab's file copied there): never a path, so the broker cannot name any file on the Pi.
/// </summary>
public sealed class AnalyzeVerbs : ICommandVerbs
{
    private readonly RigOptions _rig;
    private readonly IServiceProvider _services;

    public AnalyzeVerbs(IOptions<RigOptions> rig, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(rig);
        _rig = rig.Value;
        _services = services;
    }

    public IReadOnlyDictionary<string, string[]> Verbs { get; } = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["analyze"] = ["test_id", "file", "formation_cycles"],
    };

    public async Task<CommandReply> HandleAsync(string verb, CommandArguments args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? why = null;
        var testId = args.String("test_id", false, ref why);
        var file = args.String("file", false, ref why);
        int? formation = args.Number("formation_cycles", false, ref why) is { } f
            ? f >= 0 && f < 10_000 && f == Math.Floor(f) ? (int)f : -1
            : null; // the sidecar's, if the file has one
        if (why is null && (testId is null) == (file is null))
        {
            why = "give either test_id or file, not both or neither";
        }
        if (why is null && formation < 0)
        {
            why = "formation_cycles must be a whole number";
        }
        if (why is null && file is not null && (file.IndexOfAny(['/', '\\']) >= 0 || file.Contains("..", StringComparison.Ordinal)))
        {
            why = $"file '{file}' must be a file name in the state directory's exports folder, not a path";
        }
        if (why is not null)
        {
            return CommandReply.Error(verb, why);
        }
        var exports = Path.Combine(_rig.ResolveStateDirectory(), "exports");
        string path;
        if (testId is not null)
        {
            if (_services.GetService<RigStore>() is not { } store)
            {
                return CommandReply.Error(verb, "no store on this rig: give a file");
            }
            var files = await new BdfExporter(store).ExportAsync(testId, exports, cancellationToken);
            if (files?.FirstOrDefault(f => f.EndsWith(".bdf.csv", StringComparison.Ordinal)) is not { } exported)
            {
                return CommandReply.Error(verb, $"unknown test '{testId}' (list-tests shows the known ones)");
            }
            path = exported;
        }
        else
        {
            path = Path.Combine(exports, file!);
            if (!File.Exists(path))
            {
                return CommandReply.Error(verb, $"no file '{file}' in {exports}");
            }
        }
        try
        {
            var report = BdfAnalyzer.Analyze(path, formation);
            var summary = AnalyzeCommandLine.Summary(report);
            return new CommandReply(true, verb, $"analysed {report.Cycles.Count} cycles from {report.Rows} rows", testId ?? file,
                w => JsonSerializer.Serialize(w, summary, AnalysisSummaryJson.Compact.GetTypeInfo(typeof(AnalysisSummary))));
        }
        catch (BdfFormatException ex)
        {
            return CommandReply.Error(verb, ex.Message);
        }
        catch (InvalidDataException ex)
        {
            // RegularFile's words: a FIFO, a device or a directory in the exports folder, refused before it is opened.
            return CommandReply.Error(verb, ex.Message);
        }
    }
}
