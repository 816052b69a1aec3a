using System.IO.Compression;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rig.Service.Configuration;
using Rig.Service.Control;
using Rig.Service.Store;
using Rig.Service.Telemetry.Commands;

namespace Rig.Service.Export;

/// <summary>
/// MQTT "cmd/export-zip": a test exported as BDF (the same files as "export", written to &lt;state dir&gt;/exports)
/// and sent back in the reply as one zip, base64 in "data": the dashboard downloads a test through the broker, with
/// no web server on the Pi. Bounded: a zip above <see cref="MaxZipBytes"/> is refused with where the files are.
/// </summary>
public sealed class ExportDownloadVerbs : ICommandVerbs
{
    /// <summary>8 MiB of zip, about 11 MB of base64 reply: the broker and a browser take it in one message.</summary>
    public const int MaxZipBytes = 8 * 1024 * 1024;

    private readonly RigOptions _rig;
    private readonly IServiceProvider _services;

    public ExportDownloadVerbs(IOptions<RigOptions> rig, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(rig);
        _rig = rig.Value;
        _services = services;
    }

    public IReadOnlyDictionary<string, string[]> Verbs { get; } = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["export-zip"] = ["test_id"],
    };

    public async Task<CommandReply> HandleAsync(string verb, CommandArguments args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? why = null;
        var testId = args.String("test_id", true, ref why);
        if (why is not null)
        {
            return CommandReply.Error(verb, why);
        }
        if (_services.GetService<RigStore>() is not { } store)
        {
            return CommandReply.Error(verb, "no store on this rig");
        }
        var directory = Path.Combine(_rig.ResolveStateDirectory(), "exports");
        var files = await new BdfExporter(store).ExportAsync(testId!, directory, cancellationToken);
        if (files is null)
        {
            return CommandReply.Error(verb, $"unknown test '{testId}' (list-tests shows the known ones)");
        }
        var zip = Zip(files);
        if (zip.Length > MaxZipBytes)
        {
            return CommandReply.Error(verb, $"the export of {testId} zips to {zip.Length / 1048576.0:0.0} MiB, more than the {MaxZipBytes / 1048576} MiB a reply carries; its files are in {directory}");
        }
        var name = Path.GetFileName(files[0]).Split('.')[0] + ".bdf.zip";
        return new CommandReply(true, verb, $"exported {testId}: {name}, {zip.Length} bytes", testId, w =>
        {
            w.WriteStartObject();
            w.WriteString("file", name);
            w.WriteNumber("bytes", zip.Length);
            w.WriteBase64String("zip_base64", zip);
            w.WriteEndObject();
        });
    }

    private static byte[] Zip(IReadOnlyList<string> files)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var file in files)
            {
                archive.CreateEntryFromFile(file, Path.GetFileName(file), CompressionLevel.Optimal);
            }
        }
        return buffer.ToArray();
    }
}
