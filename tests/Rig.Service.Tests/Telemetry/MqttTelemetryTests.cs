using Rig.Service.Tests.Support;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Rig.Service.Channels;
using Rig.Service.Telemetry;
using UnitsNet;

namespace Rig.Service.Tests.Telemetry;

/// <summary>Telemetry against a real mosquitto started by the test on 127.0.0.1.</summary>
[Trait("Category", TestCategories.OutOfProcess)]
public sealed class MqttTelemetryTests() : WithMosquitto("rig-telemetry-")
{
    private string Db(string name = "rig.db") => Path.Combine(Folder, name);

    [Fact]
    public async Task Telemetry_and_retained_state_reach_a_subscriber_with_units_in_the_names()
    {
        await using var rig = new TelemetryHarness(Broker.Port, Db(), discovery: true);
        await using var live = await TestSubscriber.ConnectAsync(Broker.Port, $"{rig.Topics.Root}/#");
        await rig.StartAsync();
        var at = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var testId = await rig.StartTestAsync("ch1", at);
        await rig.Recorder.SampleAsync(TelemetryHarness.Sample(testId, "ch1", at, 0), CancellationToken.None);
        rig.Get<RigState>().RecordSample(new ChannelSample("ch2", at, ElectricPotential.FromVolts(0.77), ElectricCurrent.Zero, false, false,
            Force.FromNewtons(785), UnitsNet.Pressure.FromMegapascals(10), Temperature.FromDegreesCelsius(40), TimeSpan.Zero));
        rig.Get<ChannelStatePublisher>().PublishAll();

        var received = await live.WaitForAsync(r => r.Any(m => m.Topic == rig.Topics.Telemetry("ch1")) && r.Any(m => m.Topic == rig.Topics.State("ch2")), TimeSpan.FromSeconds(10));
        var telemetry = received.First(m => m.Topic == rig.Topics.Telemetry("ch1")).Json;
        Assert.Equal(1, telemetry.GetProperty("seq").GetInt64());
        Assert.Equal(0.01, telemetry.GetProperty("voltage_V").GetDouble(), 6);
        Assert.Equal(10.0, telemetry.GetProperty("stack_pressure_MPa").GetDouble(), 6);
        Assert.Equal(0.000785, telemetry.GetProperty("current_charging_A").GetDouble(), 9); // half cell, Al on HI: negative out of HI is plating = charging, positive in BDF
        Assert.Equal(testId, telemetry.GetProperty("test_id").GetString());

        // A dashboard that connects later still gets the retained state, the birth message and the discovery configs.
        await using var late = await TestSubscriber.ConnectAsync(Broker.Port, $"{rig.Topics.Root}/#");
        var retained = await late.WaitForAsync(r => r.Any(m => m.Topic == rig.Topics.State("ch2")) && r.Any(m => m.Topic == rig.Topics.Status), TimeSpan.FromSeconds(10));
        var state = retained.First(m => m.Topic == rig.Topics.State("ch2"));
        Assert.True(state.Retain);
        Assert.Equal(0.77, state.Json.GetProperty("voltage_V").GetDouble(), 6);
        Assert.Equal("idle", state.Json.GetProperty("run_state").GetString());
        Assert.Equal("online", retained.First(m => m.Topic == rig.Topics.Status).Text);
        // What a dashboard draws with: the channel's cell and windows, progress, the rig's description, the cycle history.
        Assert.Equal(0.785, state.Json.GetProperty("cell").GetProperty("area_cm2").GetDouble(), 6);
        Assert.Equal("zone", state.Json.GetProperty("heater_zone").GetString());
        Assert.Equal(40, state.Json.GetProperty("temperature_setpoint_degC").GetDouble(), 6);
        Assert.Equal(JsonValueKind.Null, state.Json.GetProperty("time_left_s").ValueKind);
        var more = await late.WaitForAsync(r => r.Any(m => m.Topic == $"{rig.Topics.Root}/info") && r.Any(m => m.Topic == $"{rig.Topics.Root}/ch1/history"), TimeSpan.FromSeconds(10));
        var info = more.First(m => m.Topic == $"{rig.Topics.Root}/info");
        Assert.True(info.Retain);
        Assert.Equal(["ch1", "ch2"], info.Json.GetProperty("channels").EnumerateArray().Select(c => c.GetProperty("id").GetString()));
        Assert.Contains("pause", info.Json.GetProperty("commands").EnumerateArray().Select(c => c.GetString()));
        // The dashboard's staleness clock and preset filter.
        Assert.True(info.Json.GetProperty("state_period_s").GetDouble() > 0);
        Assert.True(info.Json.GetProperty("sample_period_s").GetDouble() > 0);
        Assert.Equal(1, info.Json.GetProperty("record_period_s").GetDouble(), 6); // the harness's Store:RecordPeriod
        Assert.Equal(JsonValueKind.Object, info.Json.GetProperty("preset_cells").ValueKind);
        Assert.False(state.Json.GetProperty("in_compliance").GetBoolean());
        var history = more.First(m => m.Topic == $"{rig.Topics.Root}/ch1/history");
        Assert.True(history.Retain);
        Assert.Equal(testId, history.Json.GetProperty("test_id").GetString());
        await using var dashboard = await TestSubscriber.ConnectAsync(Broker.Port, "homeassistant/sensor/rig-t/+/config");
        var configs = await dashboard.WaitForAsync(r => r.Count >= 16, TimeSpan.FromSeconds(10));
        var voltage = configs.Single(m => m.Topic.EndsWith("/ch1_voltage/config", StringComparison.Ordinal)).Json;
        Assert.Equal(rig.Topics.State("ch1"), voltage.GetProperty("state_topic").GetString());
        Assert.Equal("V", voltage.GetProperty("unit_of_measurement").GetString());
    }

    [Fact]
    public async Task A_dashboard_connecting_mid_test_gets_the_last_hour_of_samples_as_the_retained_recent_trace()
    {
        await using var rig = new TelemetryHarness(Broker.Port, Db(), syncEveryCommit: false);
        await rig.StartAsync();
        var at = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var testId = await rig.StartTestAsync("ch1", at);
        for (var t = 0; t <= 7200; t += 10) // two hours at one sample per 10 s; the trace keeps one a minute of the last hour
        {
            await rig.Recorder.SampleAsync(TelemetryHarness.Sample(testId, "ch1", at.AddSeconds(t), t), CancellationToken.None);
        }
        Assert.True(await rig.Get<RecentTracePublisher>().PublishChangedAsync(CancellationToken.None));

        await using var late = await TestSubscriber.ConnectAsync(Broker.Port, $"{rig.Topics.Root}/+/recent");
        var recent = (await late.WaitForAsync(r => r.Count >= 1, TimeSpan.FromSeconds(10)))[0];
        Assert.True(recent.Retain);
        Assert.Equal(rig.Topics.Root + "/ch1/recent", recent.Topic);
        Assert.Equal(testId, recent.Json.GetProperty("test_id").GetString());
        var times = recent.Json.GetProperty("unix_time_s").EnumerateArray().Select(t => t.GetDouble()).ToList();
        Assert.Equal(at.AddSeconds(7200).ToUnixTimeSeconds(), times[^1]);
        Assert.InRange(times[^1] - times[0], 3540, 3600);
        Assert.InRange(times.Count, 59, 61);
        Assert.All(times.Zip(times.Skip(1)), pair => Assert.True(pair.Second - pair.First >= 60));
        Assert.Equal(times.Count, recent.Json.GetProperty("voltage_V").GetArrayLength());
        Assert.Equal(10.0, recent.Json.GetProperty("stack_pressure_MPa")[0].GetDouble(), 6);
    }

    [Fact]
    public async Task A_killed_service_connection_leaves_offline_as_its_last_will()
    {
        await using var relay = new TcpRelay(Broker.Port);
        await using var rig = new TelemetryHarness(relay.Port, Db());
        await using var watcher = await TestSubscriber.ConnectAsync(Broker.Port, $"{rig.Topics.Root}/status");
        await rig.StartAsync();
        await watcher.WaitForAsync(r => r.Any(m => m.Text == "online"), TimeSpan.FromSeconds(10));

        relay.Cut(); // no DISCONNECT reaches the broker: it must publish the will

        var seen = await watcher.WaitForAsync(r => r.Count > 0 && r[^1].Text == "offline", TimeSpan.FromSeconds(10));
        Assert.Equal("offline", seen[^1].Text);
    }

    [Fact]
    public async Task A_command_is_answered_on_its_response_topic_with_its_correlation_data()
    {
        await using var rig = new TelemetryHarness(Broker.Port, Db());
        await rig.StartAsync();
        var replyTopic = $"{rig.Topics.Root}/reply/client/abc";
        await using var requester = await TestSubscriber.ConnectAsync(Broker.Port, replyTopic);

        await requester.PublishRequestAsync(rig.Topics.Command("pause"), """{"channel":"ch1","reason":"lunch"}""", replyTopic, [1, 2, 3]);

        var reply = (await requester.WaitForAsync(r => r.Count == 1, TimeSpan.FromSeconds(10)))[0];
        Assert.Equal([1, 2, 3], reply.CorrelationData);
        Assert.True(reply.Json.GetProperty("ok").GetBoolean());
        Assert.Equal(["pause ch1 lunch"], rig.Control.Calls);
    }

    [Theory]
    [InlineData("pause", "{\"channel\":", "malformed JSON")]
    [InlineData("pause", "OVERSIZED", "exceeds Mqtt:MaxCommandBytes")]
    [InlineData("self-destruct", "{}", "unknown command")]
    [InlineData("abort", "{\"channel\":\"ch9\"}", "unknown channel 'ch9'")]
    [InlineData("start", "{\"channel\":\"ch1\"}", "exactly one of 'preset'")]
    [InlineData("resume", "{\"channel\":\"ch1\",\"force\":true}", "unknown property 'force'")]
    [InlineData("set-heater", "{\"zone\":\"zone\",\"setpoint_degC\":45}", "has a test in progress")]
    [InlineData("tare-clamp", "{\"channel\":\"ch2\"}", "has a test in progress")]
    public async Task A_bad_command_gets_an_error_saying_why_and_changes_nothing(string verb, string payload, string why)
    {
        await using var rig = new TelemetryHarness(Broker.Port, Db());
        rig.Control.States["ch2"] = new Rig.Service.Control.ChannelRunStatus("ch2", Rig.Service.Control.RunState.Running, "t-1", "p", 3, 2, null, null);
        await rig.StartAsync();
        var replyTopic = $"{rig.Topics.Root}/reply/client";
        await using var requester = await TestSubscriber.ConnectAsync(Broker.Port, replyTopic);
        var body = payload == "OVERSIZED" ? $"{{\"channel\":\"ch1\",\"reason\":\"{new string('x', 4096)}\"}}" : payload;

        await requester.PublishRequestAsync(rig.Topics.Command(verb), body, replyTopic, Encoding.UTF8.GetBytes(verb));

        var reply = (await requester.WaitForAsync(r => r.Count == 1, TimeSpan.FromSeconds(10)))[0];
        Assert.False(reply.Json.GetProperty("ok").GetBoolean());
        Assert.Contains(why, reply.Json.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(Encoding.UTF8.GetBytes(verb), reply.CorrelationData);
        Assert.Empty(rig.Control.Calls);
    }

    [Fact]
    public async Task After_a_broker_outage_every_sequence_number_arrives_exactly_once_in_order()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-01T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var rig = new TelemetryHarness(Broker.Port, Db(), pageSize: 50);
        await using var dashboard = await TestSubscriber.ConnectAsync(Broker.Port, $"{rig.Topics.Root}/+/telemetry", persistent: true);
        dashboard.KeepConnected();
        await rig.StartAsync();
        var tests = new Dictionary<string, string> { ["ch1"] = await rig.StartTestAsync("ch1", clock.GetUtcNow()), ["ch2"] = await rig.StartTestAsync("ch2", clock.GetUtcNow()) };
        var t = 0;
        async Task RunAsync(int seconds)
        {
            for (var i = 0; i < seconds; i++, t++)
            {
                clock.Advance(TimeSpan.FromSeconds(1));
                foreach (var (channel, testId) in tests)
                {
                    await rig.Recorder.SampleAsync(TelemetryHarness.Sample(testId, channel, clock.GetUtcNow(), t), CancellationToken.None);
                }
            }
        }

        await RunAsync(50);
        await dashboard.WaitForAsync(r => r.Count == 100 && rig.Store.CountUnsent() == 0, TimeSpan.FromSeconds(10)); // all acknowledged
        await Broker.StopAsync();
        await RunAsync(300); // five virtual minutes of test with no broker
        Assert.Equal(600, rig.Store.CountUnsent());
        await Broker.RestartAsync();
        await RunAsync(50);

        var received = await dashboard.WaitForAsync(r => r.Count >= 800, TimeSpan.FromSeconds(30));
        foreach (var channel in tests.Keys)
        {
            var messages = received.Where(m => m.Topic == rig.Topics.Telemetry(channel)).Select(m => m.Json).ToList();
            Assert.Equal(Enumerable.Range(1, 400).Select(i => (long)i), messages.Select(m => m.GetProperty("seq").GetInt64()));
            // Original timestamps: one virtual second apart, the outage included.
            var times = messages.Select(m => m.GetProperty("unix_time_s").GetDouble()).ToList();
            Assert.All(times.Zip(times.Skip(1)), pair => Assert.Equal(1.0, pair.Second - pair.First, 3));
        }
        // A page is marked sent after its last PUBACK, which can come after the subscriber already has the message.
        for (var deadline = DateTime.UtcNow.AddSeconds(10); rig.Store.CountUnsent() > 0 && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(20);
        }
        Assert.Equal(0, rig.Store.CountUnsent());
    }

}
