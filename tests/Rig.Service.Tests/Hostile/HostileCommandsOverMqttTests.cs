using System.Collections.Concurrent;
using System.Text;
using Rig.Service.Telemetry;
using Rig.Service.Telemetry.Commands;
using Rig.Service.Tests.Support;
using Rig.Service.Tests.Telemetry;

namespace Rig.Service.Tests.Hostile;

/// <summary>Issue 22 over a real mosquitto: commands that must not run do not run, and every command is answered.</summary>
[Trait("Category", TestCategories.OutOfProcess)]
public sealed class HostileCommandsOverMqttTests() : WithMosquitto("rig-hostile-mqtt-")
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private string Db() => Path.Combine(Folder, $"{Guid.NewGuid():N}.db");

    [Fact]
    public async Task A_retained_command_is_never_executed_at_any_reconnect()
    {
        await using var rig = new TelemetryHarness(Broker.Port, Db());
        await using var requester = await TestSubscriber.ConnectAsync(Broker.Port, $"{rig.Topics.Root}/replies/#");
        // Left on the broker before the service connects: delivered to it with the retain flag at every subscribe.
        await requester.PublishRequestAsync(rig.Topics.Command("pause"), """{"channel":"ch1","reason":"retained"}""", $"{rig.Topics.Root}/replies/op", [7],
            m => m.WithRetainFlag());

        await rig.StartAsync();

        var reply = (await requester.WaitForAsync(r => r.Count >= 1, Patience))[0];
        Assert.False(reply.Json.GetProperty("ok").GetBoolean());
        Assert.Contains("retained command is never executed", reply.Json.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(rig.Control.Calls);
    }

    [Fact]
    public async Task A_command_published_retained_while_the_service_listens_is_not_executed_either()
    {
        await using var rig = new TelemetryHarness(Broker.Port, Db());
        await rig.StartAsync();
        await using var requester = await TestSubscriber.ConnectAsync(Broker.Port, $"{rig.Topics.Root}/replies/#");

        await requester.PublishRequestAsync(rig.Topics.Command("pause"), """{"channel":"ch1","reason":"retained"}""", $"{rig.Topics.Root}/replies/op",
            configure: m => m.WithRetainFlag());

        var reply = (await requester.WaitForAsync(r => r.Count >= 1, Patience))[0];
        Assert.Contains("retained command is never executed", reply.Json.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(rig.Control.Calls);
    }

    [Theory]
    [InlineData("#")]
    [InlineData("+/x")]
    [InlineData("ch1/telemetry")]
    [InlineData("status")]
    [InlineData("cmd/abort")]
    [InlineData("../other-rig/replies")]
    public async Task A_command_with_a_response_topic_outside_the_rigs_replies_is_not_run_and_is_answered_on_the_default_reply_topic(string relative)
    {
        await using var rig = new TelemetryHarness(Broker.Port, Db());
        await rig.StartAsync();
        await using var everything = await TestSubscriber.ConnectAsync(Broker.Port, $"{rig.Topics.Root}/#");
        var responseTopic = relative.StartsWith('#') || relative.StartsWith('+') ? relative : $"{rig.Topics.Root}/{relative}";

        await everything.PublishRequestAsync(rig.Topics.Command("pause"), """{"channel":"ch1","reason":"steered"}""", responseTopic, [4, 2]);

        var messages = await everything.WaitForAsync(r => r.Any(m => m.Topic == rig.Topics.DefaultReplies), Patience);
        var reply = messages.Single(m => m.Topic == rig.Topics.DefaultReplies);
        Assert.False(reply.Json.GetProperty("ok").GetBoolean());
        Assert.Contains("the command was not run", reply.Json.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal([4, 2], reply.CorrelationData);
        Assert.Empty(rig.Control.Calls);
        Assert.DoesNotContain(messages, m => m.Topic.EndsWith("/telemetry", StringComparison.Ordinal) || m.Topic.EndsWith("/cmd/abort", StringComparison.Ordinal));
        Assert.True(rig.Connection.IsConnected);
    }

    [Theory]
    [InlineData("""{"channel":"ch1","reason":"x"}}""")]
    [InlineData("""{"channel":"ch1","reason":5}""")]
    [InlineData("""{"channel":"ch1","channel":"ch2","reason":"x"}""")]
    public async Task Trailing_garbage_duplicate_keys_and_wrong_types_are_refused_and_nothing_runs(string payload)
    {
        await using var rig = new TelemetryHarness(Broker.Port, Db());
        await rig.StartAsync();
        await using var requester = await TestSubscriber.ConnectAsync(Broker.Port, $"{rig.Topics.Root}/reply/op/#");

        await requester.PublishRequestAsync(rig.Topics.Command("pause"), payload, $"{rig.Topics.Root}/reply/op/1");

        var reply = (await requester.WaitForAsync(r => r.Count >= 1, Patience))[0];
        Assert.False(reply.Json.GetProperty("ok").GetBoolean(), reply.Text);
        Assert.Empty(rig.Control.Calls);
    }

    [Fact]
    public async Task A_burst_behind_a_slow_command_is_answered_busy_never_dropped_and_each_command_is_run_at_most_once()
    {
        const int burst = 400;
        // Queued, dispatched behind the held start on its channel, and the one the loop holds while it waits for a slot.
        const int mayWait = MqttConnection.CommandQueueCapacity + CommandLanes.MaxInFlight + 1;
        await using var rig = new TelemetryHarness(Broker.Port, Db());
        rig.Control.StartGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await rig.StartAsync();
        await using var requester = await TestSubscriber.ConnectAsync(Broker.Port, $"{rig.Topics.Root}/reply/op/#");
        var reply = $"{rig.Topics.Root}/reply/op/burst";

        // The first start holds ch1's lane (a slow command); the rest, all for ch1, arrive while it waits.
        await Publish(requester, rig.Topics.Command("start"), """{"channel":"ch1","preset":"slow"}""", reply, 0);
        await WaitUntil(() => !rig.Control.Calls.IsEmpty, () => "the first start did not run");
        await Task.WhenAll(Enumerable.Range(1, burst).Select(i => Publish(requester, rig.Topics.Command("resume"), """{"channel":"ch1"}""", reply, i)));
        await WaitUntil(() => rig.Connection.CommandsBusy >= burst - mayWait, () => $"busy {rig.Connection.CommandsBusy}, calls {rig.Control.Calls.Count}, replies {requester.Received.Count}, queued {rig.Connection.Incoming.Count}");
        var busy = await requester.WaitForAsync(r => r.Count >= burst - mayWait, Patience);

        // An urgent verb is not "busy" however full the ordinary queue is: it has a lane of its own.
        await Publish(requester, rig.Topics.Command("pause"), """{"channel":"ch2","reason":"urgent"}""", reply, -1);
        var paused = (await requester.WaitForAsync(r => r.Any(x => BitConverter.ToInt32(x.CorrelationData!) == -1), Patience))
            .Single(x => BitConverter.ToInt32(x.CorrelationData!) == -1);
        Assert.True(paused.Json.GetProperty("ok").GetBoolean(), paused.Text);
        Assert.Contains("pause ch2 urgent", rig.Control.Calls);

        rig.Control.StartGate.SetResult();
        var all = await requester.WaitForAsync(r => r.Count >= burst + 2, Patience);

        var byCorrelation = all.GroupBy(r => BitConverter.ToInt32(r.CorrelationData!)).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(burst + 2, byCorrelation.Count);
        Assert.All(byCorrelation.Values, answers => Assert.Single(answers));
        var busyAnswers = all.Count(r => r.Json.GetProperty("message").GetString()!.StartsWith("busy:", StringComparison.Ordinal));
        Assert.True(busyAnswers >= burst - mayWait, $"{busyAnswers} busy answers");
        Assert.Equal(burst + 2 - busyAnswers, rig.Control.Calls.Count);
        Assert.Equal(busyAnswers, rig.Connection.CommandsBusy);
        Assert.Equal(0, rig.Connection.CommandsUnanswered);
        Assert.NotEmpty(busy);
    }

    [Fact]
    public async Task A_client_over_its_rate_is_answered_rate_limited_and_not_run_while_other_clients_and_urgent_verbs_go_through()
    {
        await using var rig = new TelemetryHarness(Broker.Port, Db());
        rig.Mqtt.CommandRatePerSecond = 0.01; // no token comes back within the test
        rig.Mqtt.CommandBurst = 3;
        await rig.StartAsync();
        await using var requester = await TestSubscriber.ConnectAsync(Broker.Port, $"{rig.Topics.Root}/reply/#");
        var alice = $"{rig.Topics.Root}/reply/alice/1";
        for (var i = 1; i <= 8; i++)
        {
            await Publish(requester, rig.Topics.Command("resume"), """{"channel":"ch1"}""", alice, i);
        }
        await Publish(requester, rig.Topics.Command("pause"), """{"channel":"ch1","reason":"urgent"}""", alice, 100);
        await Publish(requester, rig.Topics.Command("resume"), """{"channel":"ch1"}""", $"{rig.Topics.Root}/reply/bob/1", 200);
        // A client may name itself with a user property: "carol" is a client of her own even on alice's reply topic.
        await requester.PublishRequestAsync(rig.Topics.Command("resume"), """{"channel":"ch1"}""", alice, BitConverter.GetBytes(300),
            m => m.WithUserProperty("client", Encoding.UTF8.GetBytes("carol").AsMemory()));

        var all = await requester.WaitForAsync(r => r.Count >= 11, Patience);
        var byCorrelation = all.ToDictionary(r => BitConverter.ToInt32(r.CorrelationData!), r => r.Json);
        var limited = byCorrelation.Where(r => r.Value.GetProperty("message").GetString()!.StartsWith("rate limited:", StringComparison.Ordinal)).Select(r => r.Key).Order().ToList();
        Assert.Equal([4, 5, 6, 7, 8], limited);
        Assert.All(limited, i => Assert.Contains("client 'alice'", byCorrelation[i].GetProperty("message").GetString(), StringComparison.Ordinal));
        Assert.All(limited, i => Assert.Matches("retry in [0-9]+ s", byCorrelation[i].GetProperty("message").GetString()));
        Assert.True(byCorrelation[100].GetProperty("ok").GetBoolean(), byCorrelation[100].ToString());
        Assert.DoesNotContain("rate limited", byCorrelation[200].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("rate limited", byCorrelation[300].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(5, rig.Connection.CommandsRateLimited);
        Assert.Equal(6, rig.Control.Calls.Count); // 3 of alice's, the pause, bob's and carol's
    }

    [Fact]
    public async Task A_stale_command_is_answered_and_not_run()
    {
        await using var rig = new TelemetryHarness(Broker.Port, Db());
        await rig.StartAsync();
        await using var requester = await TestSubscriber.ConnectAsync(Broker.Port, $"{rig.Topics.Root}/reply/#");
        var hourAgo = DateTimeOffset.UtcNow.AddHours(-1).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        await requester.PublishRequestAsync(rig.Topics.Command("resume"), """{"channel":"ch1"}""", $"{rig.Topics.Root}/reply/op/1",
            configure: m => m.WithUserProperty("sent_at", Encoding.UTF8.GetBytes(hourAgo).AsMemory()).WithMessageExpiryInterval(600));

        var reply = (await requester.WaitForAsync(r => r.Count >= 1, Patience))[0];
        Assert.False(reply.Json.GetProperty("ok").GetBoolean());
        Assert.StartsWith("stale: sent 60 min ago", reply.Json.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(rig.Control.Calls);
        Assert.Equal(1, rig.Connection.CommandsStale);
    }

    [Fact]
    public async Task Rate_limited_and_stale_refusals_are_counted_per_client_in_the_retained_health_on_the_broker()
    {
        await using var rig = new TelemetryHarness(Broker.Port, Db());
        rig.Mqtt.CommandRatePerSecond = 0.01; // no token comes back within the test
        rig.Mqtt.CommandBurst = 3;
        rig.Mqtt.StatePeriod = TimeSpan.FromMilliseconds(200);
        await rig.StartAsync();
        var health = new RigHealthPublisher(rig.Connection, Microsoft.Extensions.Options.Options.Create(rig.Mqtt),
            Microsoft.Extensions.Options.Options.Create(rig.Rig), TimeProvider.System);
        await health.StartAsync(CancellationToken.None);
        await using var requester = await TestSubscriber.ConnectAsync(Broker.Port, $"{rig.Topics.Root}/reply/#");
        for (var i = 1; i <= 10; i++)
        {
            await Publish(requester, rig.Topics.Command("resume"), """{"channel":"ch1"}""", $"{rig.Topics.Root}/reply/alice/{i}", i);
        }
        var hourAgo = DateTimeOffset.UtcNow.AddHours(-1).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        await requester.PublishRequestAsync(rig.Topics.Command("resume"), """{"channel":"ch1"}""", $"{rig.Topics.Root}/reply/bob/1",
            configure: m => m.WithUserProperty("sent_at", Encoding.UTF8.GetBytes(hourAgo).AsMemory()));
        await requester.WaitForAsync(r => r.Count >= 11, Patience);

        try
        {
            // A late subscriber gets the retained message from the broker: the counts are there for anyone who looks.
            await using var watcher = await TestSubscriber.ConnectAsync(Broker.Port, rig.Topics.Health);
            var seen = await watcher.WaitForAsync(r => r.Any(m => Counted(m.Json, "rate_limited", "alice") == 7 && Counted(m.Json, "stale", "bob") == 1), Patience);
            var latest = seen.Last(m => Counted(m.Json, "rate_limited", "alice") == 7).Json.GetProperty("commands");
            Assert.Equal(7, latest.GetProperty("rate_limited").GetProperty("total").GetInt64());
            Assert.Equal(1, latest.GetProperty("stale").GetProperty("total").GetInt64());
            Assert.Equal(0, latest.GetProperty("unanswered").GetInt64());
            Assert.Equal(7, rig.Connection.CommandsRateLimited);
        }
        finally
        {
            await health.StopAsync(CancellationToken.None);
        }
    }

    private static long? Counted(System.Text.Json.JsonElement health, string reason, string client) =>
        health.GetProperty("commands").GetProperty(reason).GetProperty("by_client").TryGetProperty(client, out var count) ? count.GetInt64() : null;

    private static Task Publish(TestSubscriber client, string topic, string payload, string responseTopic, int correlation) =>
        client.PublishRequestAsync(topic, payload, responseTopic, BitConverter.GetBytes(correlation));

    private static async Task WaitUntil(Func<bool> condition, Func<string> state)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, state());
            await Task.Delay(20);
        }
    }
}
