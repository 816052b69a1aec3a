using System.Globalization;
using Microsoft.Extensions.Options;
using Rig.Service.Configuration;
using Rig.Service.Recording;
using Rig.Service.Store;

namespace Rig.Service.Tests.Store;

/// <summary>The coarse recent trace a dashboard opened mid-test draws its last hours from.</summary>
public sealed class RecentTraceTests : IDisposable
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-04-01T20:00:00Z", CultureInfo.InvariantCulture);
    private readonly string _directory = Directory.CreateTempSubdirectory("rig-recent-").FullName;

    public void Dispose() => Directory.Delete(_directory, true);

    private static TestSampleRecord Sample(string testId, double t, bool stepEnd = false) =>
        new(testId, "ch1", Start.AddSeconds(t), t, t, 1, 1, "Plate", -0.01 - t * 1e-6, -0.000785, 0, 0, 0, 785, 10e6, 40, stepEnd);

    [Fact]
    public void It_keeps_one_point_per_spacing_every_step_end_and_nothing_older_than_the_window()
    {
        var trace = new RecentTrace(TimeSpan.FromMinutes(10), 10); // one point a minute
        for (var t = 0; t <= 1800; t++)
        {
            trace.Add(Sample("t1", t, stepEnd: t == 1234));
        }

        var points = trace.Snapshot("ch1")!.Value.Points.Select(p => p.TestTimeSeconds).ToList();
        Assert.Equal([1200, 1234, 1260, 1320, 1380, 1440, 1500, 1560, 1620, 1680, 1740, 1800], points.Where(t => t >= 1200));
        Assert.True(points[0] >= 1800 - 600);
    }

    [Fact]
    public void A_new_test_on_the_channel_starts_an_empty_trace_and_the_version_tells_a_change()
    {
        var trace = new RecentTrace(TimeSpan.FromHours(1), 60);
        trace.Add(Sample("t1", 0));
        var before = trace.Snapshot("ch1")!.Value.Version;
        trace.Add(Sample("t1", 1)); // within the spacing: not kept, no change
        Assert.Equal(before, trace.Snapshot("ch1")!.Value.Version);
        trace.Add(Sample("t2", 2));
        var after = trace.Snapshot("ch1")!.Value;
        Assert.Equal("t2", after.TestId);
        Assert.Single(after.Points);
        Assert.True(trace.IsEmptyFor("ch1", "t3"));
    }

    [Fact]
    public async Task After_a_restart_the_first_sample_brings_back_the_window_from_the_store()
    {
        var path = Path.Combine(_directory, "rig.db");
        var options = Options.Create(new StoreOptions { RecordPeriod = TimeSpan.FromSeconds(10) });
        var start = new TestStartRecord("t1", "rig-t", "ch1", Start, new CellOptions { Name = "HC" }, "p", "steps: []",
            new Dictionary<string, string>(), "0", null, null, null);
        using (var store = new RigStore(path, syncEveryCommit: false))
        {
            var recorder = new StoreTestRecorder(store, options, new RecentTrace(TimeSpan.FromHours(1), 60));
            await recorder.TestStartedAsync(start, CancellationToken.None);
            for (var t = 0; t <= 7200; t += 10)
            {
                await recorder.SampleAsync(Sample("t1", t), CancellationToken.None);
            }
        }
        using (var reopened = new RigStore(path, syncEveryCommit: false))
        {
            var recent = new RecentTrace(TimeSpan.FromHours(1), 60);
            var recorder = new StoreTestRecorder(reopened, options, recent);
            await recorder.SampleAsync(Sample("t1", 7300), CancellationToken.None); // the resumed test's first sample

            var points = recent.Snapshot("ch1")!.Value.Points;
            Assert.Equal(7300, points[^1].TestTimeSeconds);
            Assert.InRange(points[0].TestTimeSeconds, 7300 - 3600, 7300 - 3540);
            Assert.InRange(points.Count, 59, 62);
        }
    }
}
