using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using Rig.Service.Configuration;
using Rig.Service.Recording;
using Rig.Service.Store;

namespace Rig.Bench;

/// <summary>
/// The retained cycle history a dashboard reloads from: its size and the time to rebuild it when a cycle closes, over a
/// 400-cycle test (the paper's full-cell run) with 200 stored samples per half cycle; and the size of the recent trace.
/// </summary>
internal static class HistoryBench
{
    private const int Cycles = 400;
    private const int SamplesPerHalf = 200;
    private static readonly DateTimeOffset Epoch = DateTimeOffset.Parse("2026-01-01T00:00:00Z", CultureInfo.InvariantCulture);

    public static async Task RunAsync()
    {
        var directory = Directory.CreateTempSubdirectory("rig-bench-history-").FullName;
        try
        {
            using var store = new RigStore(Path.Combine(directory, "history.db"), syncEveryCommit: false);
            // Keep every sample: the voltage moves more than 1 mV per sample below.
            var recorder = new StoreTestRecorder(store, Options.Create(new StoreOptions { RecordPeriod = TimeSpan.FromSeconds(1), RecordDeltaVoltageMillivolts = 1 }));
            var start = new TestStartRecord("bench", "rig-bench", "ch1", Epoch, new CellOptions { Name = "FC", AreaCm2 = 0.785, Chemistry = CellChemistry.AnodeFreeFullCell },
                "bench", "steps: []", new Dictionary<string, string>(), "bench", null, null, null);
            await recorder.TestStartedAsync(start, CancellationToken.None);
            var rebuild = new List<double>();
            var wall = Stopwatch.StartNew();
            var t = 0.0;
            for (var cycle = 1; cycle <= Cycles; cycle++)
            {
                for (var i = 0; i < 2 * SamplesPerHalf; i++, t += 10)
                {
                    var charging = i < SamplesPerHalf;
                    var progress = (i % SamplesPerHalf) / (double)SamplesPerHalf;
                    var volts = charging ? 2.8 + 0.7 * progress : 3.4 - 1.6 * progress;
                    await recorder.SampleAsync(new TestSampleRecord("bench", "ch1", Epoch.AddSeconds(t), t, 0, cycle, charging ? 1 : 2, charging ? "Charge" : "Discharge",
                        volts, charging ? 0.000785 : -0.000785, 0, charging ? 0.00078 * progress : 0.00078, charging ? 0 : 0.00077 * progress,
                        785, 10e6, 40, i % SamplesPerHalf == SamplesPerHalf - 1), CancellationToken.None);
                }
                var summary = new CycleSummary("bench", "ch1", cycle, Epoch.AddSeconds(t), 0.78, 0.77, 0.99, 0.98, 0.9996, 2.5, 2.3, 0.92, 3.2, 3.0, 0.02, 600, 10, 40, 1.0 - 0.0007 * cycle);
                var closing = Stopwatch.StartNew();
                await recorder.CycleClosedAsync(summary, CancellationToken.None);
                rebuild.Add(closing.Elapsed.TotalMilliseconds);
            }
            var history = LatestHistory(store);
            var last = rebuild.TakeLast(20).Order().ToList();
            Console.WriteLine(FormattableString.Invariant(
                $"history: {Cycles} cycles, {SamplesPerHalf * 2} stored samples each ({Cycles * SamplesPerHalf * 2:N0} in all) written in {wall.Elapsed.TotalSeconds:F1} s"));
            Console.WriteLine(FormattableString.Invariant(
                $"history: retained message at cycle {Cycles}: {history.Payload.Length / 1024.0:F1} KiB ({history.Payload.Length / (double)Cycles:F0} bytes per cycle, curves included)"));
            var recent = recorder.Recent.Snapshot("ch1")!.Value;
            var recentBytes = Rig.Service.Telemetry.RecentTracePublisher.Payload(recent.TestId, recent.Points, Epoch).Length;
            Console.WriteLine(FormattableString.Invariant(
                $"recent: retained <channel>/recent with the default 6 h window: {recent.Points.Count} points, {recentBytes / 1024.0:F1} KiB (republished at most once a minute per channel)"));
            Console.WriteLine(FormattableString.Invariant(
                $"history: rebuilt at each cycle close: median {last[last.Count / 2]:F1} ms, max {last[^1]:F1} ms over the last 20 cycles; cycle 1: {rebuild[0]:F1} ms"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static OutboxMessage LatestHistory(RigStore store)
    {
        OutboxMessage? latest = null;
        for (var after = 0L; ;)
        {
            var page = store.ReadUnsent(after, 5000);
            if (page.Count == 0)
            {
                return latest ?? throw new InvalidOperationException("no history message was queued");
            }
            latest = page.LastOrDefault(m => m.Stream == "ch1/history") ?? latest;
            after = page[^1].Id;
        }
    }
}
