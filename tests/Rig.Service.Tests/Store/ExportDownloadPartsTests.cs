using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rig.Service.Configuration;
using Rig.Service.Export;
using Rig.Service.Recording;
using Rig.Service.Store;
using Rig.Service.Telemetry.Commands;

namespace Rig.Service.Tests.Store;

/// <summary>
/// "export-zip" in parts: a 400-cycle test zips to ~30 MiB (docs/benchmarks.md), so the reply carries one part of the
/// zip and the dashboard asks for each in turn. Parts joined in order are the zip, byte for byte.
/// </summary>
public sealed class ExportDownloadPartsTests : IDisposable
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("rig-export-parts-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_zip_larger_than_a_part_comes_back_in_parts_that_join_to_the_exported_zip()
    {
        using var store = new RigStore(Path.Combine(_directory, "rig.db"), syncEveryCommit: false);
        await RecordAsync(store, "t-parts", samples: 3000);
        using var services = new ServiceCollection().AddSingleton(store).BuildServiceProvider();
        var verbs = new ExportDownloadVerbs(Options.Create(new RigOptions { StateDirectory = _directory }), services, partBytes: 4096);

        var first = await Part(verbs, "t-parts", 0);
        var parts = first.GetProperty("parts").GetInt32();
        var total = first.GetProperty("bytes").GetInt64();
        Assert.True(parts > 3, $"{total} bytes in {parts} parts of 4096");
        using var joined = new MemoryStream();
        joined.Write(first.GetProperty("zip_base64").GetBytesFromBase64());
        for (var part = 1; part < parts; part++)
        {
            var next = await Part(verbs, "t-parts", part);
            Assert.Equal(part, next.GetProperty("part").GetInt32());
            Assert.Equal(total, next.GetProperty("bytes").GetInt64());
            joined.Write(next.GetProperty("zip_base64").GetBytesFromBase64());
        }

        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(_directory, "exports", "t-parts.bdf.zip")), joined.ToArray());
        joined.Position = 0;
        using var zip = new ZipArchive(joined, ZipArchiveMode.Read);
        var bdf = zip.Entries.Single(e => e.Name.EndsWith(".bdf.csv", StringComparison.Ordinal));
        using var reader = new StreamReader(bdf.Open());
        Assert.Equal(3000 + 1, (await reader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        var beyond = await verbs.HandleAsync("export-zip", Arguments(verbs, "t-parts", parts), CancellationToken.None);
        Assert.False(beyond.Ok);
        Assert.Contains($"{parts} part(s)", beyond.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_small_test_is_one_part_and_an_unknown_test_is_refused()
    {
        using var store = new RigStore(Path.Combine(_directory, "rig.db"), syncEveryCommit: false);
        await RecordAsync(store, "t-small", samples: 20);
        using var services = new ServiceCollection().AddSingleton(store).BuildServiceProvider();
        var verbs = new ExportDownloadVerbs(Options.Create(new RigOptions { StateDirectory = _directory }), services);

        var only = await Part(verbs, "t-small", 0);
        Assert.Equal(1, only.GetProperty("parts").GetInt32());
        Assert.Equal(only.GetProperty("bytes").GetInt64(), only.GetProperty("zip_base64").GetBytesFromBase64().Length);
        var unknown = await verbs.HandleAsync("export-zip", Arguments(verbs, "t-none", 0), CancellationToken.None);
        Assert.False(unknown.Ok);
        Assert.Contains("unknown test", unknown.Message, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> Part(ExportDownloadVerbs verbs, string testId, int part)
    {
        var reply = await verbs.HandleAsync("export-zip", Arguments(verbs, testId, part), CancellationToken.None);
        Assert.True(reply.Ok, reply.Message);
        using var json = JsonDocument.Parse(reply.ToJson());
        return json.RootElement.GetProperty("data").Clone();
    }

    private static CommandArguments Arguments(ExportDownloadVerbs verbs, string testId, int part) =>
        CommandArguments.Parse(Encoding.UTF8.GetBytes($"{{\"test_id\":\"{testId}\",\"part\":{part.ToString(CultureInfo.InvariantCulture)}}}"), verbs.Verbs["export-zip"], out var why)
            ?? throw new InvalidOperationException(why);

    /// <summary>A full-cell test whose every sample is kept (its voltage moves more than 1 mV per sample).</summary>
    private static async Task RecordAsync(RigStore store, string testId, int samples)
    {
        var recorder = new StoreTestRecorder(store, Options.Create(new StoreOptions { RecordPeriod = TimeSpan.FromSeconds(1), RecordDeltaVoltageMillivolts = 1 }));
        var start = new TestStartRecord(testId, "rig-test", "ch1", Epoch, new CellOptions { Name = "FC", AreaCm2 = 0.785, Chemistry = CellChemistry.AnodeFreeFullCell },
            "parts", "steps: []", new Dictionary<string, string>(), "test", null, null, null);
        await recorder.TestStartedAsync(start, CancellationToken.None);
        for (var i = 0; i < samples; i++)
        {
            var volts = 2.8 + 0.7 * (i % 200) / 200.0 + 0.0001 * (i % 7);
            await recorder.SampleAsync(new TestSampleRecord(testId, "ch1", Epoch.AddSeconds(10 * i), 10 * i, 0, 1 + i / 400, 1, "Charge",
                volts, 0.000785, 0, 0.00078 * i / samples, 0, 785, 10e6, 40, false), CancellationToken.None);
        }
    }
}
