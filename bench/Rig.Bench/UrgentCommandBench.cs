using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using Rig.Service.Composition;
using Rig.Service.Engine;
using Rig.Service.Recording;
using Rig.Service.Store;
using Rig.Service.Telemetry;

namespace Rig.Bench;

/// <summary>
/// Issue 14: how long an "abort" takes to be answered while exports of a large test run back to back, through the
/// composed service (AddRig, simulated rig, SQLite store) and a real mosquitto; beside the same with no export.
/// The abort reply time is from publishing the command to receiving its reply. Needs /usr/sbin/mosquitto.
/// </summary>
internal static class UrgentCommandBench
{
    private const int Samples = 300_000;
    private const int Aborts = 100;

    public static async Task RunAsync()
    {
        var directory = Directory.CreateTempSubdirectory("rig-bench-urgent-").FullName;
        var port = TelemetryBench.FreePort();
        await File.WriteAllTextAsync(Path.Combine(directory, "mosquitto.conf"), $"listener {port} 127.0.0.1\nallow_anonymous true\nuser {Environment.UserName}\n");
        using var mosquitto = Process.Start(new ProcessStartInfo("/usr/sbin/mosquitto", ["-c", Path.Combine(directory, "mosquitto.conf")]) { RedirectStandardError = true })!;
        try
        {
            await Task.Delay(500);
            var state = Path.Combine(directory, "state");
            var testId = await LargeTestAsync(state);
            using var host = await StartHostAsync(state, port);
            var root = $"bench/{host.Services.GetRequiredService<IOptions<Rig.Service.Configuration.RigOptions>>().Value.Id}";
            await using var client = await Client.ConnectAsync(port, root);

            var idle = await AbortLatenciesAsync(client, Aborts);
            Print("no export running", idle, 0, null);

            using var stop = new CancellationTokenSource();
            var exports = 0;
            var exportSeconds = new ConcurrentBag<double>();
            var exporting = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var clock = Stopwatch.StartNew();
                    var reply = await client.CommandAsync("export", $$"""{"test_id":"{{testId}}"}""", TimeSpan.FromMinutes(5));
                    if (!reply.GetProperty("ok").GetBoolean())
                    {
                        throw new InvalidOperationException($"export refused: {reply}");
                    }
                    exportSeconds.Add(clock.Elapsed.TotalSeconds);
                    Interlocked.Increment(ref exports);
                }
            });
            await Task.Delay(1000); // the first export is well under way
            var busy = await AbortLatenciesAsync(client, Aborts);
            await stop.CancelAsync();
            await exporting;
            Print($"exports of a {Samples:N0}-sample test running back to back", busy, exports, exportSeconds);
            await host.StopAsync();
        }
        finally
        {
            mosquitto.Kill();
            await mosquitto.WaitForExitAsync();
            Directory.Delete(directory, true);
        }
    }

    private static void Print(string condition, double[] latenciesMs, int exports, IEnumerable<double>? exportSeconds)
    {
        Array.Sort(latenciesMs);
        var exportText = exportSeconds is null ? "" : FormattableString.Invariant($"; {exports} exports meanwhile, {exportSeconds.DefaultIfEmpty().Average():0.0} s each");
        Console.WriteLine(FormattableString.Invariant(
            $"urgent: abort reply with {condition}: p50 {Percentile(latenciesMs, 0.5):0.0} ms, p99 {Percentile(latenciesMs, 0.99):0.0} ms, max {latenciesMs[^1]:0.0} ms ({latenciesMs.Length} aborts){exportText}"));
    }

    // Start a test on ch1 (waits for its reply), then abort it and time the abort's reply.
    private static async Task<double[]> AbortLatenciesAsync(Client client, int count)
    {
        var latencies = new List<double>();
        for (var i = 0; i < count; i++)
        {
            // An abort is answered at once and carried out at the channel's next sample: start again once it is.
            var started = await client.CommandAsync("start", """{"channel":"ch1","preset":"plating-stripping-1mAh"}""", TimeSpan.FromSeconds(60));
            for (var attempt = 0; !started.GetProperty("ok").GetBoolean(); attempt++)
            {
                if (attempt == 100)
                {
                    throw new InvalidOperationException($"start refused: {started}");
                }
                await Task.Delay(50);
                started = await client.CommandAsync("start", """{"channel":"ch1","preset":"plating-stripping-1mAh"}""", TimeSpan.FromSeconds(60));
            }
            var clock = Stopwatch.StartNew();
            var aborted = await client.CommandAsync("abort", """{"channel":"ch1","reason":"bench"}""", TimeSpan.FromSeconds(60));
            latencies.Add(clock.Elapsed.TotalMilliseconds);
            if (!aborted.GetProperty("ok").GetBoolean())
            {
                throw new InvalidOperationException($"abort refused: {aborted}");
            }
        }
        return [.. latencies];
    }

    private static async Task<string> LargeTestAsync(string state)
    {
        Directory.CreateDirectory(state);
        using var store = new RigStore(Path.Combine(state, "rig.db"), syncEveryCommit: false);
        var recorder = TelemetryBench.KeepEverything(store);
        var testId = await TelemetryBench.StartTest(recorder, "ch2");
        var epoch = DateTimeOffset.Parse("2026-01-01T00:00:00Z", CultureInfo.InvariantCulture);
        const int batch = 5000;
        for (var from = 0; from < Samples; from += batch)
        {
            var records = new List<EngineRecord>(batch);
            for (var i = from; i < from + batch; i++)
            {
                records.Add(new EngineRecord(Sample: new TestSampleRecord(testId, "ch2", epoch.AddSeconds(i), i, i % 3600, i / 7200 + 1, i / 3600 % 2 + 1,
                    i / 3600 % 2 == 0 ? "CC_CHG" : "CC_DCH", 3.5 + i % 100 * 1e-4, 0.001, i * 2.18e-6, i * 2.18e-6, 0, 785.0, 10.0e6, 40.0, i % 3600 == 3599)));
            }
            await recorder.CommitAsync(records, null, CancellationToken.None);
        }
        // The telemetry of those samples is not the point: mark it sent so the publisher stays quiet.
        while (store.ReadUnsent(0, 50_000) is { Count: > 0 } unsent)
        {
            store.MarkSent([.. unsent.Select(m => m.Id)], epoch);
        }
        store.PruneSent(DateTimeOffset.MaxValue);
        return testId;
    }

    private static async Task<IHost> StartHostAsync(string state, int port)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Rig:Id"] = "bench-rig",
            ["Rig:StateDirectory"] = state,
            // One client restarts the test before each of its 100 aborts (aborts take no token; the starts and their
            // retries do) and then exports back to back, faster than 10/s on a quiet machine: this bench measures the
            // urgent lane, not the per-client rate limit, so the bucket is made deep enough.
            ["Mqtt:CommandBurst"] = "10000",
            ["Rig:EmergencyStop:Kind"] = "Simulated",
            ["Rig:HeaterZones:zone-a:SetpointCelsius"] = "40",
            ["Rig:Channels:ch1:Cell:Name"] = "half-cell-1",
            ["Rig:Channels:ch1:Cell:AreaCm2"] = "0.785",
            ["Rig:Channels:ch1:Cell:Chemistry"] = "AnodeFreeHalfCell",
            ["Rig:Channels:ch1:HeaterZone"] = "zone-a",
            ["Rig:Channels:ch2:Cell:Name"] = "full-cell-1",
            ["Rig:Channels:ch2:Cell:Chemistry"] = "AnodeFreeFullCell",
            ["Rig:Channels:ch2:HeaterZone"] = "zone-a",
            ["Mqtt:Broker"] = "127.0.0.1",
            ["Mqtt:Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["Mqtt:TopicPrefix"] = "bench",
        });
        builder.Services.AddRig(builder.Configuration);
        var host = builder.Build();
        await host.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await host.Services.GetRequiredService<MqttConnection>().WaitConnectedAsync(timeout.Token);
        return host;
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    /// <summary>An operator's MQTT 5 client: a command out, its reply matched by correlation data.</summary>
    private sealed class Client : IAsyncDisposable
    {
        private readonly IMqttClient _mqtt;
        private readonly string _root;
        private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _waiting = new();
        private int _next;

        private Client(IMqttClient mqtt, string root)
        {
            _mqtt = mqtt;
            _root = root;
            _mqtt.ApplicationMessageReceivedAsync += e =>
            {
                if (e.ApplicationMessage.CorrelationData is { Length: 4 } id && _waiting.TryRemove(BitConverter.ToInt32(id), out var waiter))
                {
                    using var json = JsonDocument.Parse(e.ApplicationMessage.Payload);
                    waiter.TrySetResult(json.RootElement.Clone());
                }
                return Task.CompletedTask;
            };
        }

        public static async Task<Client> ConnectAsync(int port, string root)
        {
            var mqtt = new MqttClientFactory().CreateMqttClient();
            var client = new Client(mqtt, root);
            await mqtt.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId($"bench-op-{Guid.NewGuid():N}")
                .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).Build());
            await mqtt.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(f => f.WithTopic($"{root}/reply/bench/#").WithAtLeastOnceQoS()).Build());
            return client;
        }

        public async Task<JsonElement> CommandAsync(string verb, string payload, TimeSpan patience)
        {
            var id = Interlocked.Increment(ref _next);
            var waiter = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting[id] = waiter;
            await _mqtt.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"{_root}/cmd/{verb}").WithPayload(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithResponseTopic($"{_root}/reply/bench/op")
                .WithCorrelationData(BitConverter.GetBytes(id)).Build());
            return await waiter.Task.WaitAsync(patience);
        }

        public async ValueTask DisposeAsync()
        {
            await _mqtt.DisconnectAsync();
            _mqtt.Dispose();
        }
    }
}
