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
/// and sent back zipped, base64 in the reply's "data", in parts of <see cref="PartBytes"/>: part 0 exports and zips
/// (the zip is kept beside the files), parts 1.. are read from that zip. The dashboard asks for every part in turn and
/// joins them, so a 400-cycle test (a ~30 MiB zip, docs/benchmarks.md) downloads through the broker with no web server
/// on the Pi and no MQTT message above ~6 MB. Bounded: a zip above <see cref="MaxZipBytes"/> is refused with where the
/// files are.
/// </summary>
public sealed class ExportDownloadVerbs : ICommandVerbs
{
    /// <summary>Zip bytes per reply: 4 MiB, about 5.6 MB of base64 reply.</summary>
    public const int DefaultPartBytes = 4 * 1024 * 1024;

    /// <summary>The largest zip sent (64 parts): beyond it the files are fetched from the state directory.</summary>
    public const long MaxZipBytes = 256L * 1024 * 1024;

    private readonly RigOptions _rig;
    private readonly IServiceProvider _services;

    public ExportDownloadVerbs(IOptions<RigOptions> rig, IServiceProvider services)
        : this(rig, services, DefaultPartBytes)
    {
    }

    /// <summary>With a smaller part (tests: a many-part download of a small test).</summary>
    public ExportDownloadVerbs(IOptions<RigOptions> rig, IServiceProvider services, int partBytes)
    {
        ArgumentNullException.ThrowIfNull(rig);
        ArgumentOutOfRangeException.ThrowIfLessThan(partBytes, 1024);
        _rig = rig.Value;
        _services = services;
        PartBytes = partBytes;
    }

    public int PartBytes { get; }

    public IReadOnlyDictionary<string, string[]> Verbs { get; } = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["export-zip"] = ["test_id", "part"],
    };

    public async Task<CommandReply> HandleAsync(string verb, CommandArguments args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? why = null;
        var testId = args.String("test_id", true, ref why);
        var part = (int)(args.Number("part", false, ref why) ?? 0);
        if (why is not null)
        {
            return CommandReply.Error(verb, why);
        }
        if (_services.GetService<RigStore>() is not { } store)
        {
            return CommandReply.Error(verb, "no store on this rig");
        }
        var directory = Path.Combine(_rig.ResolveStateDirectory(), "exports");
        var zipPath = Path.Combine(directory, $"{testId}.bdf.zip");
        if (part == 0 || !File.Exists(zipPath))
        {
            var files = await new BdfExporter(store).ExportAsync(testId!, directory, cancellationToken);
            if (files is null)
            {
                return CommandReply.Error(verb, $"unknown test '{testId}' (list-tests shows the known ones)");
            }
            WriteZip(files, zipPath);
        }
        var total = new FileInfo(zipPath).Length;
        if (total > MaxZipBytes)
        {
            return CommandReply.Error(verb, $"the export of {testId} zips to {total / 1048576.0:0.0} MiB, more than the {MaxZipBytes / 1048576} MiB sent through the broker; its files are in {directory}");
        }
        var parts = (int)Math.Max(1, (total + PartBytes - 1) / PartBytes);
        if (part >= parts)
        {
            return CommandReply.Error(verb, $"the export of {testId} has {parts} part(s): 0 to {parts - 1}");
        }
        var chunk = await ReadPartAsync(zipPath, (long)part * PartBytes, (int)Math.Min(PartBytes, total - (long)part * PartBytes), cancellationToken);
        var name = Path.GetFileName(zipPath);
        return new CommandReply(true, verb, $"exported {testId}: {name}, {total} bytes, part {part + 1} of {parts}", testId, w =>
        {
            w.WriteStartObject();
            w.WriteString("file", name);
            w.WriteNumber("bytes", total);
            w.WriteNumber("part", part);
            w.WriteNumber("parts", parts);
            w.WriteBase64String("zip_base64", chunk);
            w.WriteEndObject();
        });
    }

    private static async Task<byte[]> ReadPartAsync(string path, long offset, int length, CancellationToken cancellationToken)
    {
        var buffer = new byte[length];
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        stream.Seek(offset, SeekOrigin.Begin);
        await stream.ReadExactlyAsync(buffer, cancellationToken);
        return buffer;
    }

    /// <summary>Written beside and renamed into place: a part read meanwhile comes from a whole zip, old or new.</summary>
    private static void WriteZip(IReadOnlyList<string> files, string zipPath)
    {
        var temporary = zipPath + ".tmp";
        using (var output = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create))
        {
            foreach (var file in files)
            {
                archive.CreateEntryFromFile(file, Path.GetFileName(file), CompressionLevel.Optimal);
            }
        }
        File.Move(temporary, zipPath, overwrite: true);
    }
}
