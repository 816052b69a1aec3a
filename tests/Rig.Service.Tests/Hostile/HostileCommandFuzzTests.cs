using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CsCheck;
using MQTTnet;
using MQTTnet.Protocol;
using Rig.Service.Tests.Support;
using Rig.Service.Tests.Telemetry;

namespace Rig.Service.Tests.Hostile;

/// <summary>
/// Issue 22's generated hostile-input test: 10,000 seeded commands (hostile verbs, payloads, numbers, protocols,
/// parameters, response topics, retain flags) sent to the real service process through a real mosquitto, then a
/// 2,000-command burst. The process never exits; every command is answered exactly once (correlation data), in
/// the service's own words; a start that was refused started nothing; resident memory stays bounded.
/// </summary>
[Trait("Category", TestCategories.OutOfProcess)]
public sealed class HostileCommandFuzzTests() : WithMosquitto("rig-fuzz-")
{
    private const string Root = "anodefreerig/rig-01";
    private const int Commands = 10_000;
    private const int Burst = 2_000;
    private const int Window = 32;
    private const string Seed = "0N0XIzNsQ0O2";
    private static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(60);
    private static readonly string[] RuntimeWords = ["Exception", "LineNumber", "BytePositionInLine", "Parameter '", "   at ", "is not a valid number", "overflowed"];

    private sealed record Command(string Verb, byte[] Payload, string ResponseTopic, bool Retain);

    private static Gen<Command> Commands_()
    {
        var verbs = Gen.OneOf(Gen.OneOf("start", "pause", "resume", "abort", "set-heater", "tare-clamp", "calibrate-clamp", "clear-fault",
                "list-tests", "export", "replay", "dry-run", "autotune-heater", "set-gains"),
            Gen.OneOf("", "START", "self-destruct", new string('v', 300), "ab\u00e9", "$SYS"));
        var channels = Gen.OneOf("\"ch1\"", "\"ch2\"", "\"ch9\"", "\"\"", "\"ch1 \"", "5", "null", "[\"ch1\"]", $"\"{new string('c', 200)}\"", "\"ch1\\u0000\"");
        var numbers = Gen.OneOf("NaN", "Infinity", "-Infinity", "1e400", "-1e400", "0", "-1", "1", "45", "1e308", "99999999999999999999", "0.000001", "1e-320");
        var jsonNumbers = Gen.OneOf("1e999", "-1e999", "0", "-5", "45", "1e308", "\"45\"", "null", "true", "[]", "{}");
        var units = Gen.OneOf("mA/cm2", "mA", "mAh/cm2", "mAh", "V", "s", "h", "d", "mV/s", "%", "MPa", "°C", "", "q");
        var quantity = Gen.Select(numbers, units, (n, u) => $"{n} {u}");
        var parameterNames = Gen.OneOf("capacity", "current", "rest", "cycles", "rise", "start", "stopBelow", "to", "rate", "nope");
        var parameterValues = Gen.OneOf(quantity, Gen.OneOf("1 mA/cm2 for 1 s", "1 s", "3 mAh/cm2 or until 5 V", "${rest}", "1", "-1", "NaN"));
        var parameters = Gen.Select(parameterNames, parameterValues, (k, v) => $"\"{k}\":{JsonSerializer.Serialize(v)}").Array[0, 4]
            .Select(p => "{" + string.Join(",", p) + "}");
        var steps = Gen.Select(Gen.OneOf("Plate at", "Strip at", "Hold at", "Rest for", "Sweep from OCV to", "Plate at 1 mA/cm2 rising"), quantity,
            Gen.OneOf("", " for 1 mAh/cm2", " per cycle for 1 mAh/cm2", " until 2 V", " at 1 mV/s", " timeout 1e400 s"), (h, q, t) => $"{h} {q}{t}");
        var protocols = Gen.Select(steps, quantity, quantity, (step, low, high) =>
            JsonSerializer.Serialize($"{{\"name\":\"fuzz\",\"safety\":{{\"voltage\":\"-{low} to {high}\",\"maxCurrent\":\"{high}\"}},\"steps\":[{JsonSerializer.Serialize(step)}]}}"));
        var fields = Gen.OneOf(
            channels.Select(c => $"\"channel\":{c}"),
            Gen.OneOf("\"ccd-ramp\"", "\"lsv\"", "\"../../etc/passwd\"", "\"/dev/zero\"", "\"nonexistent\"", "5").Select(p => $"\"preset\":{p}"),
            protocols.Select(p => $"\"protocol\":{p}"),
            parameters.Select(p => $"\"parameters\":{p}"),
            Gen.OneOf("\"lunch\"", "5", "null", $"\"{new string('r', 600)}\"").Select(r => $"\"reason\":{r}"),
            Gen.OneOf("\"zone-a\"", "\"die-block\"", "\"nowhere\"").Select(z => $"\"zone\":{z}"),
            jsonNumbers.Select(n => $"\"setpoint_degC\":{n}"),
            jsonNumbers.Select(n => $"\"reference_force_N\":{n}"),
            Gen.OneOf("\"x\"", "\"../../x\"", "5").Select(t => $"\"test_id\":{t}"),
            Gen.OneOf("\"x\"", "5").Select(t => $"\"unknown\":{t}"));
        var objects = Gen.Select(fields.Array[0, 6], Gen.OneOf("", "", "", "}", " x", "{}", ",\"channel\":\"ch2\""),
            (f, tail) => Encoding.UTF8.GetBytes("{" + string.Join(",", f) + "}" + tail));
        var soup = Gen.OneOf("{", "}", "[", "]", ",", ":", "\"channel\"", "\"ch1\"", "5", "NaN", "null", "\"\\ud800\"", "\u00ff").Array[0, 30]
            .Select(parts => Encoding.UTF8.GetBytes(string.Concat(parts)));
        var payloads = Gen.Frequency((6, objects), (2, soup), (1, Gen.Byte.Array[0, 100]));
        var responseTopics = Gen.Frequency(
            (8, Gen.Const($"{Root}/reply/fuzz/r")),
            (1, Gen.Const("")),
            (1, Gen.OneOf("#", $"{Root}/+", $"{Root}/ch1/telemetry", $"{Root}/status", "elsewhere/x", $"{Root}/reply/", $"{Root}/replies/a//b", $"{Root}/reply/{new string('t', 300)}")));
        return Gen.Select(verbs, payloads, responseTopics, Gen.Int[0, 99], (v, p, r, retain) => new Command(v, p, r, retain == 0));
    }

    [Fact]
    public async Task Ten_thousand_hostile_commands_never_stop_the_service_and_each_is_answered_once_in_its_own_words()
    {
        var commands = Check.Single(Commands_().Array[Commands], _ => true, Seed);
        await using var service = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["Rig__StateDirectory"] = Folder,
            ["Rig__ReadoutPeriod"] = "00:00:00",
            ["Mqtt__Broker"] = "127.0.0.1",
            ["Mqtt__Port"] = Broker.Port.ToString(CultureInfo.InvariantCulture),
            ["Mqtt__HomeAssistantDiscovery"] = "false",
            // The fuzz exercises validation: with the per-client limit (one requester here) most commands would be refused
            // before it. The limit has its own tests (Hostile/CommandRateLimitTests).
            ["Mqtt__CommandRatePerSecond"] = "0",
        });
        await service.WaitForLogAsync("MQTT connected", TimeSpan.FromSeconds(60));
        var replies = new ConcurrentDictionary<int, List<string>>();
        var window = new SemaphoreSlim(Window);
        await using var requester = await TestSubscriber.ConnectAsync(Broker.Port, $"{Root}/reply/#");
        await requester.Client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(f => f.WithTopic($"{Root}/replies/#").WithAtLeastOnceQoS()).Build());
        requester.Client.ApplicationMessageReceivedAsync += e =>
        {
            if (e.ApplicationMessage.CorrelationData is { Length: 4 } id)
            {
                var list = replies.GetOrAdd(BitConverter.ToInt32(id), _ => []);
                lock (list)
                {
                    list.Add(Encoding.UTF8.GetString(e.ApplicationMessage.Payload));
                    if (list.Count == 1)
                    {
                        window.Release();
                    }
                }
            }
            return Task.CompletedTask;
        };
        var rssAtStart = ResidentMegabytes(service.Id);
        var started = DateTime.UtcNow;

        for (var i = 0; i < commands.Length; i++)
        {
            if (!await window.WaitAsync(AnswerBound))
            {
                Assert.Fail($"command {i - Window}..{i} not answered within {AnswerBound}; service exited: {service.HasExited}\n{service.Output}");
            }
            await Send(requester, commands[i], i);
        }
        // Unpaced: most of these find the queue full and must be answered "busy", not dropped.
        for (var i = Commands; i < Commands + Burst; i++)
        {
            await Send(requester, new Command("pause", """{"channel":"ch1","reason":"burst"}"""u8.ToArray(), $"{Root}/reply/fuzz/burst", false), i);
        }
        var deadline = DateTime.UtcNow + AnswerBound;
        while (replies.Count < Commands + Burst && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        var elapsed = DateTime.UtcNow - started;
        var rssAtEnd = ResidentMegabytes(service.Id);

        Assert.False(service.HasExited, service.Output);
        var missing = Enumerable.Range(0, Commands + Burst).Where(i => !replies.ContainsKey(i)).Take(10).ToList();
        Assert.True(missing.Count == 0, $"unanswered: {string.Join(", ", missing)} (e.g. {(missing.Count > 0 && missing[0] < Commands ? Describe(commands[missing[0]]) : "burst")})");
        Assert.All(replies, r => Assert.True(r.Value.Count == 1, $"command {r.Key} answered {r.Value.Count} times"));
        var texts = replies.Values.Select(v => v[0]).ToList();
        Assert.All(texts, text => Assert.DoesNotContain(RuntimeWords, w => text.Contains(w, StringComparison.Ordinal)));
        var answers = replies.ToDictionary(r => r.Key, r => JsonDocument.Parse(r.Value[0]).RootElement);
        // Nothing refused ran: only as many tests exist as starts were accepted.
        var acceptedStarts = Enumerable.Range(0, Commands).Count(i => commands[i].Verb == "start" && answers[i].GetProperty("ok").GetBoolean());
        Assert.Equal(acceptedStarts, await CountTestsAsync(requester, replies));
        // Nothing forbidden ran: a retained command or a refused response topic is never ok.
        Assert.All(Enumerable.Range(0, Commands).Where(i => commands[i].Retain), i => Assert.False(answers[i].GetProperty("ok").GetBoolean(), Describe(commands[i])));
        var busy = texts.Count(t => t.Contains("\"busy:", StringComparison.Ordinal));
        Assert.True(rssAtEnd < 400, $"resident memory {rssAtStart} MB at start, {rssAtEnd} MB at the end");
        Console.WriteLine($"fuzz: {Commands + Burst} commands in {elapsed.TotalSeconds:0.0} s, {busy} busy, {acceptedStarts} starts accepted, RSS {rssAtStart} -> {rssAtEnd} MB");
    }

    private static Task Send(TestSubscriber client, Command command, int id)
    {
        var message = new MqttApplicationMessageBuilder().WithTopic($"{Root}/cmd/{command.Verb}").WithPayload(command.Payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag(command.Retain)
            .WithCorrelationData(BitConverter.GetBytes(id));
        if (command.ResponseTopic.Length > 0)
        {
            message.WithResponseTopic(command.ResponseTopic);
        }
        return client.Client.PublishAsync(message.Build());
    }

    private static async Task<int> CountTestsAsync(TestSubscriber client, ConcurrentDictionary<int, List<string>> replies)
    {
        const int id = int.MaxValue;
        await Send(client, new Command("list-tests", "{}"u8.ToArray(), $"{Root}/reply/fuzz/list", false), id);
        var deadline = DateTime.UtcNow + AnswerBound;
        while (!replies.ContainsKey(id))
        {
            Assert.True(DateTime.UtcNow < deadline, "list-tests not answered");
            await Task.Delay(50);
        }
        return JsonDocument.Parse(replies[id][0]).RootElement.GetProperty("data").GetArrayLength();
    }

    private static string Describe(Command command) =>
        $"{command.Verb} {Encoding.UTF8.GetString(command.Payload)} -> {command.ResponseTopic} retain={command.Retain}";

    private static long ResidentMegabytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)) ?? "VmRSS: 0 kB";
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }
}
