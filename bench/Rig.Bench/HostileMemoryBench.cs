using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using MQTTnet;
using MQTTnet.Protocol;

namespace Rig.Bench;

/// <summary>
/// Issue 22, bounded memory under hostile load: the service process (its shipped runtimeconfig, two simulated
/// channels) and a real mosquitto; three rounds of 10,000 seeded hostile commands (malformed and oversized JSON,
/// wrong types, NaN and overflowing numbers, hostile protocols and presets, unknown verbs, wildcard and foreign
/// response topics, retained commands), 32 in flight, each waited for its answer. RSS is read from /proc every
/// 250 ms: the figure is the peak per round and the level after each round, so growth across rounds shows.
/// </summary>
internal static class HostileMemoryBench
{
    private const int Rounds = 3;
    private const int PerRound = 10_000;
    private const int Window = 32;
    private const string Root = "anodefreerig/rig-01";

    public static async Task RunAsync()
    {
        var directory = Directory.CreateTempSubdirectory("rig-bench-hostile-").FullName;
        var port = TelemetryBench.FreePort();
        await File.WriteAllTextAsync(Path.Combine(directory, "mosquitto.conf"), $"listener {port} 127.0.0.1\nallow_anonymous true\nuser {Environment.UserName}\n");
        using var mosquitto = Process.Start(new ProcessStartInfo("/usr/sbin/mosquitto", ["-c", Path.Combine(directory, "mosquitto.conf")]) { RedirectStandardError = true })!;
        Process? service = null;
        try
        {
            await TelemetryBench.WaitForPortAsync(port);
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = AppContext.BaseDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Rig.Service.dll"));
            start.Environment["DOTNET_ENVIRONMENT"] = "Production";
            start.Environment["Rig__StateDirectory"] = Path.Combine(directory, "state");
            start.Environment["Mqtt__Broker"] = "127.0.0.1";
            start.Environment["Mqtt__Port"] = port.ToString(CultureInfo.InvariantCulture);
            start.Environment["Mqtt__HomeAssistantDiscovery"] = "false";
            // One requester sends everything: without this nearly all would be answered "rate limited" before validation.
            start.Environment["Mqtt__CommandRatePerSecond"] = "0";
            service = await ServiceProcessStart.StartConnectedAsync(start);

            using var client = new MqttClientFactory().CreateMqttClient();
            var answers = new ConcurrentDictionary<int, TaskCompletionSource>();
            client.ApplicationMessageReceivedAsync += e =>
            {
                if (e.ApplicationMessage.CorrelationData is { Length: 4 } c && answers.TryRemove(BitConverter.ToInt32(c), out var done))
                {
                    done.TrySetResult();
                }
                return Task.CompletedTask;
            };
            await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
                .WithClientId($"hostile-bench-{Environment.ProcessId}").Build());
            await client.SubscribeAsync($"{Root}/reply/#", MqttQualityOfServiceLevel.AtLeastOnce);
            await client.SubscribeAsync($"{Root}/replies", MqttQualityOfServiceLevel.AtLeastOnce);

            var random = new Random(22);
            var samples = new List<long>();
            using var sampling = new CancellationTokenSource();
            long peak = 0;
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    var rss = ProcessMemory.ResidentKiB(service.Id);
                    Interlocked.Exchange(ref peak, Math.Max(Interlocked.Read(ref peak), rss));
                    await Task.Delay(250);
                }
            });
            var atStart = ProcessMemory.ResidentKiB(service.Id);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"service RSS after start: {atStart / 1024.0:0.0} MiB"));
            var id = 0;
            for (var round = 1; round <= Rounds; round++)
            {
                Interlocked.Exchange(ref peak, 0);
                var clock = Stopwatch.StartNew();
                var window = new SemaphoreSlim(Window);
                var unanswered = 0;
                var pending = new List<Task>();
                for (var i = 0; i < PerRound; i++)
                {
                    await window.WaitAsync();
                    var n = ++id;
                    var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    answers[n] = done;
                    var (verb, payload, responseTopic, retain) = Hostile(random);
                    var message = new MqttApplicationMessageBuilder().WithTopic($"{Root}/cmd/{verb}").WithPayload(payload)
                        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag(retain)
                        .WithResponseTopic(responseTopic).WithCorrelationData(BitConverter.GetBytes(n)).Build();
                    await client.PublishAsync(message);
                    pending.Add(Task.Run(async () =>
                    {
                        try
                        {
                            // Refused response topics are answered on <rig>/replies with the correlation data; a command
                            // not answered in 30 s is counted, not waited for.
                            await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
                        }
                        catch (TimeoutException)
                        {
                            Interlocked.Increment(ref unanswered);
                            answers.TryRemove(n, out _);
                        }
                        finally
                        {
                            window.Release();
                        }
                    }));
                }
                await Task.WhenAll(pending);
                // Clear what the round left retained on the broker: it would be replayed at every reconnect.
                await Task.Delay(1000);
                var after = ProcessMemory.ResidentKiB(service.Id);
                samples.Add(after);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round}: {PerRound} hostile commands in {clock.Elapsed.TotalSeconds:0.0} s, {unanswered} unanswered; RSS peak {Interlocked.Read(ref peak) / 1024.0:0.0} MiB, after {after / 1024.0:0.0} MiB; service alive: {!service.HasExited}"));
            }
            await sampling.CancelAsync();
            await sampler;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"RSS: {atStart / 1024.0:0.0} MiB at start, {string.Join(" -> ", samples.Select(s => (s / 1024.0).ToString("0.0", CultureInfo.InvariantCulture)))} MiB after each round of {PerRound}"));
        }
        finally
        {
            if (service is { HasExited: false })
            {
                service.Kill();
                await service.WaitForExitAsync();
            }
            service?.Dispose();
            mosquitto.Kill();
            await mosquitto.WaitForExitAsync();
            Directory.Delete(directory, true);
        }
    }

    private static readonly string[] Verbs =
        ["start", "pause", "resume", "abort", "set-heater", "tare-clamp", "calibrate-clamp", "clear-fault", "list-tests", "replay", "dry-run", "export", "analyze", "no-such-verb", "info"];

    private static readonly string[] Values =
        ["\"NaN mA/cm2\"", "\"Infinity mAh\"", "1e400", "-1", "\"ch1\"", "\"ch9\"", "null", "[]", "{}", "\"../../etc/passwd\"", "\"/dev/zero\"", "5", "\"1 s\"", "true", "\"99999999999 V\""];

    private static readonly string[] Keys = ["channel", "preset", "protocol", "parameters", "reason", "zone", "setpoint_c", "test_id", "file", "stream", "from_seq", "to_seq", "load_n"];

    private static (string Verb, byte[] Payload, string ResponseTopic, bool Retain) Hostile(Random random)
    {
        var verb = Verbs[random.Next(Verbs.Length)];
        var kind = random.Next(10);
        string payload = kind switch
        {
            0 => "{\"channel\":\"ch1\"}}",
            1 => "{\"channel\":",
            2 => new string('[', random.Next(1, 5000)),
            3 => "{\"protocol\":\"" + new string('x', random.Next(1, 60_000)) + "\"}",
            4 => "{\"protocol\":{\"name\":\"p\",\"safety\":{\"voltage\":\"-1000 V to 1000 V\",\"maxCurrent\":\"NaN mA/cm2\"},\"steps\":[\"Plate at 1 mA/cm2 rising NaN mA/cm2 per cycle for 0 mAh/cm2\"]},\"channel\":\"ch1\"}",
            5 => "\u0000\u0001\u0002",
            _ => "{" + string.Join(',', Enumerable.Range(0, random.Next(1, 6)).Select(_ => $"\"{Keys[random.Next(Keys.Length)]}\":{Values[random.Next(Values.Length)]}")) + "}",
        };
        var responseTopic = random.Next(12) switch
        {
            0 => "#",
            1 => $"{Root}/ch1/telemetry",
            2 => "elsewhere/x",
            _ => $"{Root}/reply/bench/{random.Next(1000)}",
        };
        return (verb, Encoding.UTF8.GetBytes(payload), responseTopic, random.Next(50) == 0);
    }

}
