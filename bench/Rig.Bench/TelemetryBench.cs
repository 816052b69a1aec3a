using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MQTTnet;
using Rig.Service.Configuration;
using Rig.Service.Recording;
using Rig.Service.Store;
using Rig.Service.Telemetry;

namespace Rig.Bench;

/// <summary>
/// The store's cost per sample (bytes, write rate) and the telemetry path end to end: samples written by the
/// recorder, published from the outbox to a real mosquitto, received by a subscriber in the same process.
/// Needs /usr/sbin/mosquitto (Debian package "mosquitto").
/// </summary>
internal static class TelemetryBench
{
    private static readonly DateTimeOffset Epoch = DateTimeOffset.Parse("2026-01-01T00:00:00Z", CultureInfo.InvariantCulture);

    public static async Task RunAsync()
    {
        await StoreCost();
        foreach (var channels in new[] { 8, 64 })
        {
            await EndToEndAsync(channels, paced: false, syncEveryCommit: true);
            await EndToEndAsync(channels, paced: true, syncEveryCommit: true);
        }
        // The MQTT path's own ceiling, with the store's fsync per sample out of the way.
        await EndToEndAsync(64, paced: false, syncEveryCommit: false);
    }

    private static async Task StoreCost()
    {
        var directory = Directory.CreateTempSubdirectory("rig-bench-store-").FullName;
        try
        {
            const int count = 50_000;
            using (var store = new RigStore(Path.Combine(directory, "size.db"), syncEveryCommit: false))
            {
                var recorder = KeepEverything(store);
                await Write(recorder, "ch1", 0, count);
                var withOutbox = store.SizeOnDisk();
                store.MarkSent([.. store.ReadUnsent(0, count + 1).Select(m => m.Id)], Epoch);
                store.PruneSent(DateTimeOffset.MaxValue);
                store.Compact();
                var bytesPerSample = store.SizeOnDisk() / (double)count;
                // A year of 8 channels under test at the default policy (a sample every 10 s, plus changes: count 2x).
                var perYear = 8 * 2 * (365.25 * 86400 / 10) * bytesPerSample;
                Console.WriteLine($"store: {bytesPerSample:0.0} bytes per stored sample ({count:N0} samples, outbox pruned, vacuumed); " +
                                  $"{withOutbox / (double)count:0.0} bytes per sample while its telemetry message waits in the outbox");
                Console.WriteLine($"store: a year of 8 channels at one sample per 5 s each (10 s period + as many on-change samples): {perYear / 1e9:0.00} GB");
            }
            foreach (var sync in new[] { true, false })
            {
                using var store = new RigStore(Path.Combine(directory, $"rate-{sync}.db"), sync);
                var recorder = KeepEverything(store);
                const int n = 2000;
                var stopwatch = Stopwatch.StartNew();
                await Write(recorder, "ch1", 0, n);
                Console.WriteLine($"store: {n / stopwatch.Elapsed.TotalSeconds:N0} samples/s written, one transaction each (synchronous={(sync ? "FULL" : "NORMAL")})");
            }
        }
        finally
        {
            Directory.Delete(directory, true);
        }
    }

    private static async Task EndToEndAsync(int channels, bool paced, bool syncEveryCommit)
    {
        var directory = Directory.CreateTempSubdirectory("rig-bench-mqtt-").FullName;
        var port = FreePort();
        await File.WriteAllTextAsync(Path.Combine(directory, "mosquitto.conf"), $"listener {port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 1000000\nuser {Environment.UserName}\n");
        using var mosquitto = Process.Start(new ProcessStartInfo("/usr/sbin/mosquitto", ["-c", Path.Combine(directory, "mosquitto.conf")]) { RedirectStandardError = true })!;
        try
        {
            await WaitForPortAsync(port);
            var rig = new RigOptions { Id = "bench", Channels = Enumerable.Range(1, channels).ToDictionary(i => $"ch{i}", _ => new ChannelOptions()) };
            var mqtt = new MqttOptions { Broker = "127.0.0.1", Port = port, TopicPrefix = "bench", ReconnectMinDelay = TimeSpan.FromMilliseconds(100) };
            using var store = new RigStore(Path.Combine(directory, "rig.db"), syncEveryCommit);
            var recorder = KeepEverything(store);
            using var connection = new MqttConnection(Options.Create(mqtt), Options.Create(rig), TimeProvider.System, NullLogger<MqttConnection>.Instance);
            using var publisher = new OutboxPublisher(store, connection, Options.Create(mqtt), Options.Create(new StoreOptions()), TimeProvider.System, NullLogger<OutboxPublisher>.Instance);
            var latenciesMs = new List<double>();
            var received = 0L;
            using var subscriber = new MqttClientFactory().CreateMqttClient();
            subscriber.ApplicationMessageReceivedAsync += e =>
            {
                var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
                using var json = JsonDocument.Parse(e.ApplicationMessage.Payload);
                lock (latenciesMs)
                {
                    latenciesMs.Add((now - json.RootElement.GetProperty("unix_time_s").GetDouble()) * 1000);
                }
                Interlocked.Increment(ref received);
                return Task.CompletedTask;
            };
            await subscriber.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).Build());
            await subscriber.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(f => f.WithTopic("bench/bench/+/telemetry").WithAtLeastOnceQoS()).Build());
            await connection.StartAsync(CancellationToken.None);
            await publisher.StartAsync(CancellationToken.None);
            await connection.WaitConnectedAsync(CancellationToken.None);

            var duration = TimeSpan.FromSeconds(8);
            var period = TimeSpan.FromMilliseconds(100);
            long peakRss = 0;
            var written = 0L;
            var stopwatch = Stopwatch.StartNew();
            var tests = new List<string>();
            foreach (var i in Enumerable.Range(1, channels))
            {
                tests.Add(await StartTest(recorder, $"ch{i}"));
            }
            using (var timer = new PeriodicTimer(period))
            {
                var t = 0;
                while (stopwatch.Elapsed < duration)
                {
                    for (var c = 0; c < channels; c++)
                    {
                        var sample = new TestSampleRecord(tests[c], $"ch{c + 1}", DateTimeOffset.UtcNow, t, t, 1, 1, "CC_CHG", 0.01, -0.000785, 0, 0, 0, 785, 10e6, 40, false);
                        await recorder.SampleAsync(sample, CancellationToken.None);
                        written++;
                    }
                    t++;
                    peakRss = Math.Max(peakRss, Environment.WorkingSet);
                    if (paced)
                    {
                        await timer.WaitForNextTickAsync();
                    }
                }
            }
            var producedIn = stopwatch.Elapsed;
            while (Interlocked.Read(ref received) < written && stopwatch.Elapsed < duration * 4)
            {
                peakRss = Math.Max(peakRss, Environment.WorkingSet);
                await Task.Delay(50);
            }
            var deliveredIn = stopwatch.Elapsed;
            double[] sorted;
            lock (latenciesMs)
            {
                sorted = [.. latenciesMs.Order()];
            }
            var mode = (paced ? $"paced {1 / period.TotalSeconds:0} Hz per channel" : "flat out") + (syncEveryCommit ? ", synchronous=FULL" : ", synchronous=NORMAL");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"mqtt {channels} channels, {mode}: {written:N0} samples written in {producedIn.TotalSeconds:0.0} s ({written / producedIn.TotalSeconds:N0}/s), " +
                $"{received:N0} received in {deliveredIn.TotalSeconds:0.0} s ({received / deliveredIn.TotalSeconds:N0} msg/s end to end); " +
                $"latency sample->subscriber median {Percentile(sorted, 0.5):0.0} ms, p99 {Percentile(sorted, 0.99):0.0} ms; peak RSS {peakRss / 1048576.0:0} MiB"));
            await publisher.StopAsync(CancellationToken.None);
            await connection.StopAsync(CancellationToken.None);
        }
        finally
        {
            mosquitto.Kill();
            await mosquitto.WaitForExitAsync();
            Directory.Delete(directory, true);
        }
    }

    internal static StoreTestRecorder KeepEverything(RigStore store) =>
        new(store, Options.Create(new StoreOptions { RecordPeriod = TimeSpan.FromTicks(1) }));

    internal static async Task<string> StartTest(StoreTestRecorder recorder, string channelId)
    {
        var testId = $"{channelId}-{Guid.NewGuid():N}";
        await recorder.TestStartedAsync(new TestStartRecord(testId, "bench", channelId, DateTimeOffset.UtcNow, new CellOptions(), "bench", "", new Dictionary<string, string>(),
            "0.1.0", null, null, null), CancellationToken.None);
        return testId;
    }

    private static async Task Write(StoreTestRecorder recorder, string channelId, int from, int count)
    {
        var testId = await StartTest(recorder, channelId);
        for (var i = from; i < from + count; i++)
        {
            // Realistic values (not zeros): a slowly moving voltage and noisy readings.
            var sample = new TestSampleRecord(testId, channelId, Epoch.AddSeconds(i * 10), i * 10, i * 10 % 3600, i / 720 + 1, i / 360 % 2 + 1,
                i / 360 % 2 == 0 ? "CC_CHG" : "CC_DCH", 0.0123 + i * 1e-7, -0.000785 + i % 7 * 1e-9, i * 2.18e-6, i * 2.18e-6, 0,
                785.0 + i % 13 * 0.1, 10.0e6 + i % 13 * 1270, 40.0 + i % 5 * 0.01, i % 360 == 359);
            await recorder.SampleAsync(sample, CancellationToken.None);
        }
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static async Task WaitForPortAsync(int port)
    {
        for (var i = 0; i < 200; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(25);
            }
        }
        throw new InvalidOperationException($"mosquitto did not start on port {port}");
    }
}
