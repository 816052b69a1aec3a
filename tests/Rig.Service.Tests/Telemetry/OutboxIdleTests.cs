using Microsoft.Extensions.Time.Testing;
using Rig.Service.Tests.Support;

namespace Rig.Service.Tests.Telemetry;

/// <summary>
/// The outbox publisher with nothing to send, on a virtual clock against a real mosquitto: new rows wake it at once (the
/// clock never moves, so no poll can have started the page), and its idle passes still prune sent rows once the clock
/// passes Store:SentOutboxRetention.
/// </summary>
[Trait("Category", TestCategories.OutOfProcess)]
public sealed class OutboxIdleTests() : WithMosquitto("rig-outbox-idle-")
{
    [Fact]
    public async Task An_idle_publisher_wakes_for_new_rows_without_a_clock_tick_and_prunes_sent_rows_once_they_are_past_retention()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-01T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var db = Path.Combine(Folder, "rig.db");
        await using var rig = new TelemetryHarness(Broker.Port, db, time: clock);
        await rig.StartAsync();
        var testId = await rig.StartTestAsync("ch1", clock.GetUtcNow());
        var store = new StoreReader(db);

        for (var i = 0; i < 3; i++)
        {
            await rig.Recorder.SampleAsync(TelemetryHarness.Sample(testId, "ch1", clock.GetUtcNow(), i, step: i + 1), CancellationToken.None);
        }
        await rig.Recorder.FlushAsync();
        await Until(() => store.Read(testId).Telemetry is { Count: 3 } rows && rows.All(r => r.Sent));

        // Sent rows stay for the retention, then an idle pass deletes them; the samples they carried stay in the store.
        clock.Advance(rig.StoreOptions.SentOutboxRetention - TimeSpan.FromMinutes(1));
        await Task.Delay(300);
        Assert.Equal(3, store.Read(testId).Telemetry.Count);
        clock.Advance(TimeSpan.FromMinutes(11));
        await Until(() => store.Read(testId).Telemetry.Count == 0);
        Assert.Equal(3, store.Read(testId).Samples.Count);
    }

    /// <summary>Polls on the real clock (the rig's runs on the virtual one) until <paramref name="condition"/> holds, at most 10 s.</summary>
    private static async Task Until(Func<bool> condition)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(10); !condition(); await Task.Delay(20))
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 10 s");
        }
    }
}
