using Rig.Service.Tests.Support;
namespace Rig.Service.Tests.Telemetry;

/// <summary>
/// The service dies while publishing (its connection reset mid-stream, its publisher and store objects abandoned
/// without being stopped or disposed); a new one opened on the same SQLite file must lose nothing and resume
/// at the first message whose PUBACK was not recorded.
/// </summary>
[Trait("Category", TestCategories.OutOfProcess)]
public sealed class OutboxCrashTests() : WithMosquitto("rig-crash-")
{
    private const int Samples = 4000;

    [Fact]
    public async Task A_crash_while_publishing_loses_nothing_and_replay_resumes_where_acknowledgements_stopped()
    {
        var db = Path.Combine(Folder, "rig.db");
        await using var relay = new TcpRelay(Broker.Port);
        // synchronous=NORMAL: a process crash (this test) loses nothing committed in WAL mode; it only makes the fill faster.
        var crashed = new TelemetryHarness(relay.Port, db, pageSize: 10, prefix: "crash", syncEveryCommit: false);
        await using var dashboard = await TestSubscriber.ConnectAsync(Broker.Port, "crash/rig-t/+/telemetry");
        var start = DateTimeOffset.Parse("2026-03-01T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var testId = await crashed.StartTestAsync("ch1", start);
        for (var i = 0; i < Samples; i++)
        {
            await crashed.Recorder.SampleAsync(TelemetryHarness.Sample(testId, "ch1", start.AddSeconds(i), i), CancellationToken.None);
        }
        await crashed.StartAsync();
        await dashboard.WaitForAsync(r => r.Count >= 200, TimeSpan.FromSeconds(20));

        relay.Cut(); // the process is gone: no DISCONNECT, nothing stopped, nothing disposed
        await WaitUntilSettledAsync(crashed);

        await using var restarted = new TelemetryHarness(Broker.Port, db, pageSize: 10, prefix: "crash");
        var acknowledged = Samples - restarted.Store.CountUnsent();
        var beforeRestart = dashboard.Received.Count;
        Assert.InRange(acknowledged, 200 - 10, Samples - 1);
        Assert.Equal(Samples, restarted.Store.FindTest(testId)!.SampleCount); // nothing stored was lost
        await restarted.StartAsync();

        var received = await dashboard.WaitForAsync(r => r.Select(Seq).Distinct().Count() == Samples, TimeSpan.FromSeconds(30));
        var replay = received.Skip(beforeRestart).Select(Seq).ToList();
        Assert.Equal(acknowledged + 1, replay[0]);
        Assert.Equal(Enumerable.Range((int)acknowledged + 1, Samples - (int)acknowledged).Select(i => (long)i), replay);
        // At-least-once: only messages delivered but not yet marked (at most one page) may arrive twice.
        Assert.InRange(received.Count - Samples, 0, 10);
        // A page is marked sent after its last PUBACK, which can come after the subscriber already has the message.
        for (var deadline = DateTime.UtcNow.AddSeconds(10); restarted.Store.CountUnsent() > 0 && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(20);
        }
        Assert.Equal(0, restarted.Store.CountUnsent());
        await crashed.DisposeAsync();
    }

    private static long Seq(Received message) => message.Json.GetProperty("seq").GetInt64();

    /// <summary>The dead publisher's last in-flight call returns (its connection reset); wait until it wrote its last mark.</summary>
    private static async Task WaitUntilSettledAsync(TelemetryHarness crashed)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        var last = -1L;
        while (DateTime.UtcNow < deadline)
        {
            var unsent = crashed.Store.CountUnsent();
            if (!crashed.Connection.IsConnected && unsent == last)
            {
                return;
            }
            last = unsent;
            await Task.Delay(500);
        }
    }
}
