using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Rig.Drivers.Cells;
using Rig.Drivers.Potentiostats.Simulated;
using Rig.Service.Configuration;
using Rig.Service.Engine;
using Rig.Service.Engine.Protocols;
using Rig.Service.Engine.Simulation;
using Rig.Service.Export;
using Rig.Service.Recording;
using Rig.Service.Store;
using Rig.Service.Telemetry.Commands;
using UnitsNet;

namespace Rig.Bench;

/// <summary>
/// Issue 20: what the dashboard's "Export test (BDF zip)" carries for the paper's long test. The 400-cycle full-cell
/// preset runs on the simulated cell at the rig's 1 s sample period, recorded into a SQLite store by the service's
/// recorder with the default recording policy (Store:RecordPeriod 10 s, 1 mV, 0.01 mA); then "export-zip" runs as the
/// MQTT verb does: stored samples, BDF files written, zipped, the reply JSON built (base64). Sizes and times.
/// </summary>
internal static class ExportZipBench
{
    private const double AreaCm2 = 0.785;

    public static async Task RunAsync()
    {
        var directory = Directory.CreateTempSubdirectory("rig-bench-export-zip-").FullName;
        try
        {
            var storeOptions = Options.Create(new StoreOptions());
            using var store = new RigStore(Path.Combine(directory, "rig.db"), syncEveryCommit: false);
            var (testId, samples, wall) = await RecordAsync(store, storeOptions);
            using var services = new ServiceCollection().AddSingleton(store).BuildServiceProvider();
            var verbs = new ExportDownloadVerbs(Options.Create(new RigOptions { StateDirectory = directory }), services);
            var arguments = CommandArguments.Parse(System.Text.Encoding.UTF8.GetBytes($$"""{"test_id":"{{testId}}"}"""), verbs.Verbs["export-zip"], out var why)
                ?? throw new InvalidOperationException(why);
            var files = Path.Combine(directory, "exports");
            for (var round = 1; round <= 2; round++)
            {
                var clock = Stopwatch.StartNew();
                var reply = await verbs.HandleAsync("export-zip", arguments, CancellationToken.None);
                var exported = clock.Elapsed;
                var json = reply.ToJson();
                var total = clock.Elapsed;
                // The rest of the parts, as the dashboard asks for them in turn.
                var parts = reply.Ok ? int.Parse(reply.Message.Split(" of ")[^1], CultureInfo.InvariantCulture) : 0;
                var largest = json.Length;
                var rest = Stopwatch.StartNew();
                for (var part = 1; part < parts; part++)
                {
                    var next = CommandArguments.Parse(System.Text.Encoding.UTF8.GetBytes("{\"test_id\":\"" + testId + "\",\"part\":" + part.ToString(CultureInfo.InvariantCulture) + "}"), verbs.Verbs["export-zip"], out why)!;
                    largest = Math.Max(largest, (await verbs.HandleAsync("export-zip", next, CancellationToken.None)).ToJson().Length);
                }
                Console.WriteLine(FormattableString.Invariant(
                    $"export-zip round {round}: {parts} parts of {ExportDownloadVerbs.DefaultPartBytes / 1048576} MiB, largest reply {largest / 1048576.0:F2} MiB of JSON; parts 2..{parts} read and encoded in {rest.Elapsed.TotalSeconds:F1} s"));
                var csv = Directory.GetFiles(files).Where(f => !f.EndsWith(".zip", StringComparison.Ordinal) && !f.EndsWith(".tmp", StringComparison.Ordinal)).Sum(f => new FileInfo(f).Length);
                if (round == 1)
                {
                    var rows = File.ReadLines(Directory.GetFiles(files, "*.bdf.csv").Single()).LongCount() - 1;
                    Console.WriteLine(FormattableString.Invariant(
                        $"export-zip: 400-cycle full cell at 1 s sampling: {samples:N0} samples taken, {rows:N0} stored by the default recording policy ({wall.TotalSeconds:F0} s to simulate and record)"));
                }
                Console.WriteLine(FormattableString.Invariant(
                    $"export-zip round {round}: {(reply.Ok ? "ok" : "REFUSED: " + reply.Message)}; files {csv / 1048576.0:F1} MiB -> zip {ZipBytes(reply.Message.Split(", part")[0]) / 1048576.0:F2} MiB (limit {ExportDownloadVerbs.MaxZipBytes / 1048576} MiB) -> first reply {json.Length / 1048576.0:F2} MiB of JSON; export + zip {exported.TotalSeconds:F1} s, with the first reply {total.TotalSeconds:F1} s"));
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<(string TestId, long Samples, TimeSpan Wall)> RecordAsync(RigStore store, IOptions<StoreOptions> storeOptions)
    {
        using var writer = new StoreWriter(store, storeOptions, TimeProvider.System);
        var recorder = new StoreTestRecorder(store, storeOptions, writer: writer);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
        var cell = new SimulatedCell(new AnodeFreeFullCell(AreaCm2, new FullCellParameters()), time,
            () => Temperature.FromDegreesCelsius(40), maxStep: TimeSpan.FromSeconds(1));
        var instrument = new SimulatedPotentiostatChannel(cell, time, "sim-smu:bench");
        var text = new PresetLibrary().Text("anode-free-full-cell") ?? throw new InvalidOperationException("preset anode-free-full-cell missing");
        var plan = ProtocolCompiler.Compile(text);
        var start = new TestStartRecord("bench-export-zip", "rig-bench", "ch1", time.GetUtcNow(),
            new CellOptions { Name = "FC-bench", AreaCm2 = AreaCm2, Chemistry = CellChemistry.AnodeFreeFullCell },
            plan.Name, text, plan.Parameters, "bench", null, null, null);
        var clock = Stopwatch.StartNew();
        await recorder.TestStartedAsync(start, CancellationToken.None);
        var engine = CyclingEngine.Start(plan, start, AreaCm2);
        var run = new AcceleratedRun(instrument, time.Advance, TimeSpan.FromSeconds(1),
            () => Pressure.FromMegapascals(10), () => Temperature.FromDegreesCelsius(40))
        {
            // The recorder hands each kept sample to its writer thread and returns (it waits only when the queue is full).
            OnSample = sample => recorder.SampleAsync(sample, CancellationToken.None).AsTask().GetAwaiter().GetResult(),
        };
        await run.RunAsync(engine, long.MaxValue);
        foreach (var cycle in run.Cycles)
        {
            await recorder.CycleClosedAsync(cycle, CancellationToken.None);
        }
        if (run.End is { } end)
        {
            await recorder.TestEndedAsync(end, CancellationToken.None);
        }
        await recorder.FlushAsync();
        return (start.TestId, run.Samples, clock.Elapsed);
    }

    /// <summary>The zip's size as the reply's message states it ("exported …: name, N bytes").</summary>
    private static long ZipBytes(string message)
    {
        var parts = message.Split(' ');
        var at = Array.IndexOf(parts, "bytes");
        return at > 0 && long.TryParse(parts[at - 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var bytes) ? bytes : 0;
    }
}
