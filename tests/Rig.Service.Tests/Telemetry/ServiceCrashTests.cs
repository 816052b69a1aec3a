using System.Diagnostics;
using System.Globalization;
using Rig.Service.Tests.Support;
using Xunit.Abstractions;

namespace Rig.Service.Tests.Telemetry;

/// <summary>
/// The real service as its own OS process, SIGKILLed while it publishes a fast test's telemetry to a real
/// mosquitto, then started again on the same state directory. What was stored must survive, and the replay
/// must resume at the first outbox row whose PUBACK was not recorded.
/// </summary>
[Trait("Category", TestCategories.OutOfProcess)]
public sealed class ServiceCrashTests : WithMosquitto
{
    private const int PageSize = 50;
    private const int ReceivedBeforeKill = 400;
    /// <summary>The killed process reaches the broker over a slow link, so its publisher falls behind the samples.</summary>
    /// (PUBACKs come back 100 ms late: with 16 publishes in flight at most ~160 msg/s, below the 200 samples/s of the test.)
    private static readonly TimeSpan SlowLinkLatency = TimeSpan.FromMilliseconds(100);
    private const string Root = "anodefreerig/rig-01";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly ITestOutputHelper _log;

    public ServiceCrashTests(ITestOutputHelper log)
        : base("rig-kill-")
    {
        _log = log;
    }

    [Fact]
    public async Task A_service_process_killed_while_publishing_loses_no_stored_sample_and_replays_from_the_first_unacknowledged_seq()
    {
        var clock = Stopwatch.StartNew();
        var state = Path.Combine(Folder, "state");
        var store = new StoreReader(Path.Combine(state, "rig.db"));
        await using var dashboard = await TestSubscriber.ConnectAsync(Broker.Port, $"{Root}/ch1/telemetry", persistent: true);
        await using var requester = await TestSubscriber.ConnectAsync(Broker.Port, $"{Root}/reply/crash-test");

        string testId;
        await using (var slowLink = new TcpRelay(Broker.Port, SlowLinkLatency))
        await using (var doomed = ServiceProcess.Start(Environment(state, slowLink.Port)))
        {
            await doomed.WaitForLogAsync("MQTT connected", Patience);
            testId = await StartFastTestAsync(requester);
            await dashboard.WaitForAsync(r => r.Count >= ReceivedBeforeKill, Patience);
            await doomed.KillAsync();
            Assert.Equal(128 + 9, doomed.ExitCode); // died of SIGKILL: no shutdown code ran
        }
        var atKill = store.Read(testId);
        var killedAt = clock.Elapsed;

        await using (var restarted = ServiceProcess.Start(Environment(state, Broker.Port)))
        {
            await restarted.WaitForLogAsync("MQTT connected", Patience);
            await WaitUntilAllPublishedAsync(store, testId, dashboard, restarted);
            Assert.True(await restarted.StopAsync(), restarted.Output);
        }
        var after = store.Read(testId);
        var seqs = dashboard.Received.Select(m => m.Json.GetProperty("seq").GetInt64()).ToList();

        // The kill came while a backlog was being published, not between messages.
        Assert.True(atKill.Telemetry.Count(t => !t.Sent) > PageSize, $"only {atKill.Telemetry.Count(t => !t.Sent)} rows unmarked at the kill");

        // Every sample has its telemetry row, written in the same transaction: seq 1..N, marks a prefix.
        Assert.Equal(atKill.Samples.Count, atKill.Telemetry.Count);
        Assert.Equal(Enumerable.Range(1, atKill.Telemetry.Count).Select(i => (long)i), atKill.Telemetry.Select(t => t.Seq));
        Assert.True(atKill.Telemetry.SkipWhile(t => t.Sent).All(t => !t.Sent), "rows marked sent are a prefix of the stream");

        // (a) Nothing stored before the kill is lost or changed.
        Assert.Empty(atKill.Samples.Except(after.Samples));

        // (b) The dashboard has every seq 1..N, N = the stream's highest seq after the restart.
        var n = after.Telemetry.Count;
        Assert.True(n >= atKill.Telemetry.Count);
        Assert.Equal(Enumerable.Range(1, n).Select(i => (long)i), seqs.Distinct().Order());
        Assert.All(after.Telemetry, t => Assert.True(t.Sent));

        // (c), (d) What arrived is 1..M from the killed process, then U..N from the restarted one, where U is the
        // first row unmarked in the store at the kill. M >= U - 1 (a marked row was acknowledged, so delivered);
        // M - U + 1 rows were delivered but not yet marked (or not yet PUBACKed) when the process died: the
        // at-least-once window: at most two pages (the publisher marks one page while it publishes the next). If
        // M = U - 1 the two runs join with no duplicate.
        var firstUnmarked = atKill.Telemetry.Where(t => !t.Sent).Select(t => t.Seq).DefaultIfEmpty(atKill.Telemetry.Count + 1).First();
        var fromKilled = seqs.Select((seq, i) => (seq, i)).TakeWhile(x => x.seq == x.i + 1).Count();
        var fromRestarted = seqs.Skip(fromKilled).ToList();
        var replayStart = fromRestarted.Count > 0 ? fromRestarted[0] : fromKilled + 1;
        var duplicates = seqs.Count - n;
        _log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"killed after {killedAt.TotalSeconds:F1} s: {atKill.Samples.Count} samples stored, {atKill.Telemetry.Count(t => !t.Sent)} unmarked from seq {firstUnmarked}; " +
            $"dashboard had seq 1..{fromKilled} from the killed process; replay {replayStart}..{n}; {seqs.Count} messages, {duplicates} duplicates; {clock.Elapsed.TotalSeconds:F1} s"));
        Assert.True(fromKilled >= firstUnmarked - 1, $"seq {fromKilled + 1} was marked sent but never arrived");
        if (fromRestarted.Count > 0)
        {
            Assert.Equal(firstUnmarked, replayStart);
            Assert.Equal(Enumerable.Range((int)firstUnmarked, n - (int)firstUnmarked + 1).Select(i => (long)i), fromRestarted);
        }
        else
        {
            Assert.Equal(n, fromKilled);
        }
        Assert.Equal(fromKilled - firstUnmarked + 1, duplicates);
        Assert.InRange(duplicates, 0, 2 * PageSize);
    }

    private static Dictionary<string, string> Environment(string state, int brokerPort) => FastSamplingService.Environment(state, brokerPort, PageSize);

    /// <summary>Starts a half-cell plating/stripping test on ch1 by MQTT command; its 10 min rest streams a sample every 5 ms.</summary>
    private static async Task<string> StartFastTestAsync(TestSubscriber requester)
    {
        var reply = await requester.RequestAsync($"{Root}/cmd/start",
            """{"channel":"ch1","preset":"plating-stripping-1mAh","operator":"crash test"}""", $"{Root}/reply/crash-test", Patience);
        Assert.True(reply.Json.GetProperty("ok").GetBoolean(), reply.Text);
        return reply.Json.GetProperty("id").GetString()!;
    }

    /// <summary>Until the stream has no unmarked row and the dashboard has its highest seq (bounded).</summary>
    private static async Task WaitUntilAllPublishedAsync(StoreReader store, string testId, TestSubscriber dashboard, ServiceProcess service)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var now = store.Read(testId);
            var last = now.Telemetry.Count;
            if (now.Telemetry.All(t => t.Sent) && dashboard.Received.Any(m => m.Json.GetProperty("seq").GetInt64() == last))
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"after {Patience}: {now.Telemetry.Count(t => !t.Sent)} rows unmarked, {dashboard.Received.Count} received:\n{service.Output}");
            await Task.Delay(200);
        }
    }
}
