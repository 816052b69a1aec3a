using System.Globalization;
using System.Text.Json;
using Rig.Service.Configuration;
using Rig.Service.Recording;
using Rig.Service.Store;

namespace Rig.Service.Tests.Store;

/// <summary>The retained "&lt;channel&gt;/history" message a dashboard rebuilds its cycle plots from after a reload.</summary>
public sealed class CycleHistoryTests : IDisposable
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-03-01T09:00:00Z", CultureInfo.InvariantCulture);
    private readonly string _directory = Directory.CreateTempSubdirectory("rig-history-").FullName;

    public void Dispose() => Directory.Delete(_directory, true);

    private string Db => Path.Combine(_directory, "rig.db");

    private static TestStartRecord StartRecord(string testId) =>
        new(testId, "rig-t", "ch1", Start, new CellOptions { Name = "HC-01", AreaCm2 = 0.785 }, "plate-strip", "steps: []",
            new Dictionary<string, string>(), "0.1.0", null, null, null);

    /// <summary>One half-cell cycle: 400 plating samples (capacity rising 0.002 mAh each, voltage falling) then 372 stripping samples.</summary>
    private static async Task Cycle(StoreTestRecorder recorder, string testId, int cycle)
    {
        var t0 = (cycle - 1) * 1000.0;
        for (var i = 0; i <= 400; i++)
        {
            await recorder.SampleAsync(Sample(testId, cycle, t0 + i, "Plate", -0.010 - 0.0015 * i, -0.000785, 2e-6 * i, 0, i == 400), CancellationToken.None);
        }
        for (var i = 0; i <= 372; i++)
        {
            await recorder.SampleAsync(Sample(testId, cycle, t0 + 401 + i, "Strip", 0.010 + 0.002 * i, 0.000785, 0.0008, 2e-6 * i, i == 372), CancellationToken.None);
        }
        await recorder.CycleClosedAsync(new CycleSummary(testId, "ch1", cycle, Start.AddSeconds(t0 + 773), 0.8, 0.744, 1.02, 0.95, 0.93,
            0, 0, 0, 0, 0, 0, 0, 10, 40, cycle == 1 ? null : 1.0 - 0.001 * cycle), CancellationToken.None);
    }

    private static TestSampleRecord Sample(string testId, int cycle, double t, string stepType, double volts, double amps, double chargeAh, double dischargeAh, bool end) =>
        new(testId, "ch1", Start.AddSeconds(t), t, 0, cycle, stepType == "Plate" ? 1 : 2, stepType, volts, amps, 0, chargeAh, dischargeAh, 785, 10e6, 40, end);

    private static JsonElement LatestHistory(RigStore store)
    {
        var message = store.ReadUnsent(0, 100_000).Last(m => m.Stream == "ch1/history");
        Assert.True(message.Retain);
        return JsonDocument.Parse(message.Payload).RootElement;
    }

    private static int[] CurveCycles(JsonElement history) => [.. history.GetProperty("curves").EnumerateArray().Select(c => c.GetProperty("cycle").GetInt32())];

    [Fact]
    public async Task History_holds_every_cycle_summary_and_the_curves_of_milestone_cycles_and_the_latest()
    {
        using var store = new RigStore(Db);
        var recorder = StoreRecordingTests.Recorder(store);
        await recorder.TestStartedAsync(StartRecord("t1"), CancellationToken.None);
        var empty = LatestHistory(store);
        Assert.Equal("t1", empty.GetProperty("test_id").GetString());
        Assert.Equal(0, empty.GetProperty("cycles").GetProperty("cycle").GetArrayLength());

        for (var cycle = 1; cycle <= 4; cycle++)
        {
            await Cycle(recorder, "t1", cycle);
        }
        var afterFour = LatestHistory(store);
        Assert.Equal([1, 2, 3, 4], afterFour.GetProperty("cycles").GetProperty("cycle").EnumerateArray().Select(c => c.GetInt32()));
        Assert.Equal(0.93, afterFour.GetProperty("cycles").GetProperty("coulombic_efficiency_1")[3].GetDouble(), 6);
        Assert.Equal(JsonValueKind.Null, afterFour.GetProperty("cycles").GetProperty("capacity_retention_1")[0].ValueKind);
        Assert.Equal([1, 2, 3, 4], CurveCycles(afterFour));

        await Cycle(recorder, "t1", 5);
        await Cycle(recorder, "t1", 6);
        var afterSix = LatestHistory(store);
        Assert.Equal([1, 2, 3, 5, 6], CurveCycles(afterSix)); // 4 was only ever the latest

        // Each half decimated to at most 150 points, keeping the half's last point (0.8 mAh plated, 0.744 mAh stripped).
        var curve = afterSix.GetProperty("curves")[4];
        var charge = curve.GetProperty("charge").GetProperty("capacity_mAh").EnumerateArray().Select(p => p.GetDouble()).ToList();
        var discharge = curve.GetProperty("discharge").GetProperty("capacity_mAh").EnumerateArray().Select(p => p.GetDouble()).ToList();
        Assert.InRange(charge.Count, 100, CycleCurve.MaxPointsPerHalf);
        Assert.Equal(0.8, charge[^1], 6);
        Assert.Equal(0.744, discharge[^1], 6);
        Assert.Equal(charge.Order(), charge);
        Assert.Equal(discharge.Count, curve.GetProperty("discharge").GetProperty("voltage_V").GetArrayLength());
    }

    [Fact]
    public async Task After_a_restart_the_history_still_carries_the_earlier_milestone_curves()
    {
        string before;
        using (var store = new RigStore(Db))
        {
            var recorder = StoreRecordingTests.Recorder(store);
            await recorder.TestStartedAsync(StartRecord("t1"), CancellationToken.None);
            for (var cycle = 1; cycle <= 3; cycle++)
            {
                await Cycle(recorder, "t1", cycle);
            }
            before = LatestHistory(store).GetProperty("curves")[1].GetRawText();
        }
        using (var reopened = new RigStore(Db))
        {
            var recorder = StoreRecordingTests.Recorder(reopened); // cold cache, as after a crash
            await recorder.TestStartedAsync(StartRecord("t1"), CancellationToken.None); // a resume re-announces the test
            await Cycle(recorder, "t1", 4);
            var history = LatestHistory(reopened);
            Assert.Equal([1, 2, 3, 4], CurveCycles(history));
            Assert.Equal(before, history.GetProperty("curves")[1].GetRawText());
            Assert.Equal(4, history.GetProperty("cycles").GetProperty("cycle").GetArrayLength());
        }
    }

    [Fact]
    public async Task A_new_test_on_the_channel_starts_an_empty_history()
    {
        using var store = new RigStore(Db);
        var recorder = StoreRecordingTests.Recorder(store);
        await recorder.TestStartedAsync(StartRecord("t1"), CancellationToken.None);
        await Cycle(recorder, "t1", 1);
        await recorder.TestStartedAsync(StartRecord("t2"), CancellationToken.None);

        var history = LatestHistory(store);
        Assert.Equal("t2", history.GetProperty("test_id").GetString());
        Assert.Equal(0, history.GetProperty("cycles").GetProperty("cycle").GetArrayLength());
        Assert.Empty(CurveCycles(history));
        // Only the latest unsent version is kept: a retained topic needs no backlog.
        Assert.Single(store.ReadUnsent(0, 1000), m => m.Stream == "ch1/history");
    }
}
