using System.Globalization;
using Rig.Service.Tests.Support;
using Xunit.Abstractions;

namespace Rig.Service.Tests.Telemetry;

/// <summary>
/// The durability promise under repeated SIGKILL at random moments: the real service writes a fast test's samples
/// through the store writer's group commits (folding them into chunks as it goes) and publishes them to a real
/// mosquitto; it is killed after a random delay, restarted, the test resumed, killed again, several times. After
/// every kill: every sample read from the store after an earlier kill is still there, unchanged; every stored sample
/// has its telemetry row and the seqs are 1..N; no message the broker delivered has a seq above N (nothing was
/// published before it was durable). At the end the restarted service publishes everything: the subscriber has 1..N.
/// </summary>
[Trait("Category", TestCategories.OutOfProcess)]
public sealed class ServiceKillLoopTests : WithMosquitto
{
    private const string Root = "anodefreerig/rig-01";
    private const int Kills = 6;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly ITestOutputHelper _log;

    public ServiceKillLoopTests(ITestOutputHelper log)
        : base("rig-killloop-")
    {
        _log = log;
    }

    [Fact]
    public async Task Killed_at_random_points_again_and_again_no_committed_sample_is_lost_and_none_is_published_before_it_is_durable()
    {
        var seed = Environment.TickCount;
        _log.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var state = Path.Combine(Folder, "state");
        var store = new StoreReader(Path.Combine(state, "rig.db"));
        await using var dashboard = await TestSubscriber.ConnectAsync(Broker.Port, $"{Root}/ch1/telemetry", persistent: true);
        await using var requester = await TestSubscriber.ConnectAsync(Broker.Port, $"{Root}/reply/kill-loop");
        string? testId = null;
        StoreContent? before = null;
        for (var kill = 0; kill < Kills; kill++)
        {
            await using (var doomed = ServiceProcess.Start(Settings(state)))
            {
                await doomed.WaitForLogAsync("MQTT connected", Patience);
                var reply = await CommandAsync(requester, testId is null ? "start" : "resume",
                    testId is null ? """{"channel":"ch1","preset":"plating-stripping-1mAh","operator":"kill loop"}""" : """{"channel":"ch1"}""");
                Assert.True(reply.Json.GetProperty("ok").GetBoolean(), $"{reply.Text}\n{doomed.Output}");
                testId ??= reply.Json.GetProperty("id").GetString()!;
                // A random moment within the group commits: samples arrive every 5 ms, groups commit as the disk allows.
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(150, 2_500)));
                await doomed.KillAsync();
                Assert.Equal(128 + 9, doomed.ExitCode);
            }
            // Let the broker deliver what it had already accepted from the dead process.
            await Task.Delay(300);
            var now = store.Read(testId);
            var delivered = dashboard.Received.Select(m => m.Json.GetProperty("seq").GetInt64()).DefaultIfEmpty(0).Max();
            _log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"kill {kill + 1}: {now.Samples.Count} samples stored, {now.Telemetry.Count(t => !t.Sent)} unmarked, highest seq delivered {delivered}"));
            Assert.Equal(now.Samples.Count, now.Telemetry.Count);
            Assert.Equal(Enumerable.Range(1, now.Telemetry.Count).Select(i => (long)i), now.Telemetry.Select(t => t.Seq));
            Assert.True(delivered <= now.Telemetry.Count, $"seq {delivered} was delivered but only {now.Telemetry.Count} rows are durable");
            if (before is not null)
            {
                Assert.Empty(before.Samples.Except(now.Samples));
                Assert.True(now.Samples.Count >= before.Samples.Count);
            }
            before = now;
        }
        await using (var last = ServiceProcess.Start(Settings(state)))
        {
            await last.WaitForLogAsync("MQTT connected", Patience);
            var deadline = DateTime.UtcNow + Patience;
            while (true)
            {
                var now = store.Read(testId!);
                var seqs = dashboard.Received.Select(m => m.Json.GetProperty("seq").GetInt64()).ToHashSet();
                if (now.Telemetry.All(t => t.Sent) && seqs.Count == now.Telemetry.Count && seqs.SetEquals(now.Telemetry.Select(t => t.Seq)))
                {
                    Assert.Empty(before!.Samples.Except(now.Samples));
                    break;
                }
                Assert.True(DateTime.UtcNow < deadline, $"{now.Telemetry.Count(t => !t.Sent)} unmarked, {seqs.Count} of {now.Telemetry.Count} seqs delivered\n{last.Output}");
                await Task.Delay(200);
            }
            Assert.True(await last.StopAsync(), last.Output);
        }
    }

    private Dictionary<string, string> Settings(string state) => FastSamplingService.Environment(state, Broker.Port, outboxPageSize: 50);

    private static Task<Received> CommandAsync(TestSubscriber requester, string verb, string payload) =>
        requester.RequestAsync($"{Root}/cmd/{verb}", payload, $"{Root}/reply/kill-loop", Patience);
}
