using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Protocol;
using Rig.Archive;
using Rig.Archive.Ingest;
using Rig.Archive.Storage;

namespace Rig.Bench;

/// <summary>
/// The lab archive's ingest (docs/archive.md, "Figures"): (1) the database path alone, parse + binary COPY + INSERT
/// ON CONFLICT, fsync on; (2) end to end, simulated rigs publishing QoS 1 telemetry to mosquitto as fast as they can,
/// the archive (in this process, its own MQTT session) writing to PostgreSQL; (3) paced like a lab, R rigs x 8
/// channels x 1 sample/s, for increasing R: does the archive keep up (backlog drained within 2 s of the last
/// publish)? The load generator, mosquitto, PostgreSQL and the archive share this machine's cores.
/// </summary>
internal static class ArchiveBench
{
    private const int Channels = 8;
    private static readonly DateTimeOffset Epoch = DateTimeOffset.Parse("2026-12-01T00:00:00Z", CultureInfo.InvariantCulture);

    public static async Task RunAsync()
    {
        await using var postgres = await BenchPostgres.StartAsync();
        await DatabasePathAsync(postgres);
        var directory = Directory.CreateTempSubdirectory("rig-bench-archive-").FullName;
        var port = TelemetryBench.FreePort();
        await File.WriteAllTextAsync(Path.Combine(directory, "mosquitto.conf"),
            $"listener {port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 2000000\nmax_inflight_messages 20000\nuser {Environment.UserName}\n");
        using var mosquitto = Process.Start(new ProcessStartInfo("/usr/sbin/mosquitto", ["-c", Path.Combine(directory, "mosquitto.conf")]) { RedirectStandardError = true })!;
        try
        {
            await TelemetryBench.WaitForPortAsync(port);
            await FlatOutAsync(postgres, port, mosquitto.Id, rigs: 500, samplesPerChannel: 50);
            foreach (var rigs in new[] { 250, 500, 1000 })
            {
                await PacedAsync(postgres, port, rigs, TimeSpan.FromSeconds(20));
            }
        }
        finally
        {
            mosquitto.Kill();
            await mosquitto.WaitForExitAsync();
            Directory.Delete(directory, true);
        }
    }

    private static async Task DatabasePathAsync(BenchPostgres postgres)
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await using var database = new ArchiveDatabase(connectionString, NullLogger<ArchiveDatabase>.Instance);
        await database.MigrateAsync(CancellationToken.None);
        var writer = new ArchiveWriter(database);
        const int batch = 5000, batches = 60;
        // Message j: rig j % 500, channel (j / 500) % 8, seq j / 4000 + 1, i.e. 500 rigs x 8 channels in seq order.
        var messages = Enumerable.Range(0, batches).Select(b => Enumerable.Range(b * batch, batch)
            .Select(j => Message(rig: j % 500, channel: j / 500 % Channels, seq: j / 4000 + 1)).ToList()).ToList();
        var parse = Stopwatch.StartNew();
        var rows = messages.Select(BatchRows.From).ToList();
        parse.Stop();
        var self = Environment.ProcessId;
        var (archiveCpu0, postgresCpu0) = (ProcessCpu.Seconds(self), postgres.CpuSeconds());
        var write = Stopwatch.StartNew();
        var inserted = 0;
        foreach (var r in rows)
        {
            inserted += (await writer.WriteAsync(r, CancellationToken.None)).SamplesInserted;
        }
        write.Stop();
        var (archiveCpu, postgresCpu) = (ProcessCpu.Seconds(self) - archiveCpu0, postgres.CpuSeconds() - postgresCpu0);
        var again = Stopwatch.StartNew();
        var duplicates = 0;
        foreach (var r in rows.Take(10))
        {
            duplicates += (await writer.WriteAsync(r, CancellationToken.None)).Duplicates;
        }
        again.Stop();
        var offered = batch * batches;
        Console.WriteLine($"archive database path: {offered:N0} telemetry messages parsed in {parse.Elapsed.TotalSeconds:F2} s ({offered / parse.Elapsed.TotalSeconds:N0}/s); " +
            $"{inserted:N0} new rows written in batches of {batch} in {write.Elapsed.TotalSeconds:F2} s ({inserted / write.Elapsed.TotalSeconds:N0} samples/s, fsync on)");
        Console.WriteLine($"archive database path, CPU: the archive used {archiveCpu:F1} s and PostgreSQL {postgresCpu:F1} s for {inserted:N0} samples: " +
            $"{inserted / archiveCpu:N0} samples per archive CPU-second, {inserted / postgresCpu:N0} per PostgreSQL CPU-second, " +
            $"{inserted / (archiveCpu + postgresCpu):N0} per CPU-second of both (load average now {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
        Console.WriteLine($"archive database path, all duplicates: {duplicates:N0} in {again.Elapsed.TotalSeconds:F2} s ({duplicates / again.Elapsed.TotalSeconds:N0}/s, nothing written)");
    }

    private static async Task FlatOutAsync(BenchPostgres postgres, int port, int broker, int rigs, int samplesPerChannel)
    {
        await using var archive = await StartArchiveAsync(postgres, port, "flat");
        var total = rigs * Channels * samplesPerChannel;
        var cpu0 = (Self: ProcessCpu.Seconds(Environment.ProcessId), Postgres: postgres.CpuSeconds(), Broker: ProcessCpu.Seconds(broker));
        var clock = Stopwatch.StartNew();
        var published = await PublishAsync(port, rigs, (r, c) => Enumerable.Range(1, samplesPerChannel).Select(s => (long)s), paced: null);
        var publishSeconds = clock.Elapsed.TotalSeconds;
        await WaitForAsync(() => archive.Ingestor.SamplesWritten >= total, TimeSpan.FromMinutes(5));
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"archive end to end, flat out: {rigs} rigs x {Channels} channels x {samplesPerChannel} samples = {total:N0} messages; published in {publishSeconds:F1} s " +
            $"({published / publishSeconds:N0}/s by the load generator), all {archive.Ingestor.SamplesWritten:N0} archived after {seconds:F1} s ({total / seconds:N0} samples/s ingest); " +
            $"CPU s: archive + load generator {ProcessCpu.Seconds(Environment.ProcessId) - cpu0.Self:F1}, PostgreSQL {postgres.CpuSeconds() - cpu0.Postgres:F1}, " +
            $"mosquitto {ProcessCpu.Seconds(broker) - cpu0.Broker:F1} (load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
    }

    private static async Task PacedAsync(BenchPostgres postgres, int port, int rigs, TimeSpan duration)
    {
        await using var archive = await StartArchiveAsync(postgres, port, $"paced{rigs}");
        var seconds = (int)duration.TotalSeconds;
        var total = rigs * Channels * seconds;
        var clock = Stopwatch.StartNew();
        await PublishAsync(port, rigs, (r, c) => Enumerable.Range(1, seconds).Select(s => (long)s), paced: TimeSpan.FromSeconds(1));
        var publishEnd = clock.Elapsed;
        var drained = await WaitForAsync(() => archive.Ingestor.SamplesWritten >= total, TimeSpan.FromSeconds(60));
        var drain = clock.Elapsed - publishEnd;
        Console.WriteLine($"archive paced: {rigs} rigs x {Channels} channels at 1 Hz = {rigs * Channels:N0} samples/s offered for {seconds} s; " +
            $"{archive.Ingestor.SamplesWritten:N0}/{total:N0} archived, last one {drain.TotalSeconds:F1} s after the last publish " +
            $"(publishing took {publishEnd.TotalSeconds:F1} s): {(drained && drain < TimeSpan.FromSeconds(2) && publishEnd < duration + TimeSpan.FromSeconds(2) ? "keeps up" : "falls behind")}");
    }

    /// <summary>
    /// Publishes every rig's channels, QoS 1, over 16 connections (each stands for a group of rigs, as bridges would),
    /// each with up to 2,000 publishes in flight. Paced: one seq per channel per period.
    /// </summary>
    private static async Task<long> PublishAsync(int port, int rigs, Func<int, int, IEnumerable<long>> seqs, TimeSpan? paced)
    {
        const int connections = 16;
        var clients = new List<IMqttClient>();
        for (var i = 0; i < connections; i++)
        {
            var client = new MqttClientFactory().CreateMqttClient();
            await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId($"load-{Guid.NewGuid():N}")
                .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).Build());
            clients.Add(client);
        }
        long published = 0;
        var rounds = seqs(0, 0).ToList();
        var start = Stopwatch.StartNew();
        for (var round = 0; round < rounds.Count; round++)
        {
            var seq = rounds[round];
            await Parallel.ForEachAsync(Enumerable.Range(0, connections), async (k, ct) =>
            {
                using var window = new SemaphoreSlim(2000);
                var pending = new List<Task>();
                for (var rig = k; rig < rigs; rig += connections)
                {
                    for (var channel = 0; channel < Channels; channel++)
                    {
                        await window.WaitAsync(ct);
                        var message = new MqttApplicationMessageBuilder().WithTopic($"bench/rig-{rig:D4}/ch{channel + 1}/telemetry")
                            .WithPayload(Payload(seq, channel)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
                        pending.Add(clients[k].PublishAsync(message, ct).ContinueWith(_ => window.Release(), TaskScheduler.Default));
                    }
                }
                await Task.WhenAll(pending);
                Interlocked.Add(ref published, pending.Count);
            });
            if (paced is { } period && start.Elapsed < period * (round + 1))
            {
                await Task.Delay(period * (round + 1) - start.Elapsed);
            }
        }
        foreach (var client in clients)
        {
            await client.DisconnectAsync();
            client.Dispose();
        }
        return published;
    }

    private static async Task<BenchArchive> StartArchiveAsync(BenchPostgres postgres, int port, string name)
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Archive:Broker"] = "127.0.0.1",
            ["Archive:Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["Archive:Username"] = "",
            ["Archive:TopicPrefix"] = "bench",
            ["Archive:ClientId"] = $"archive-{name}",
            ["Archive:ConnectionString"] = connectionString,
        });
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddArchive(builder.Configuration);
        var host = builder.Build();
        await host.StartAsync();
        await host.Services.GetRequiredService<LabSubscription>().WaitConnectedAsync(CancellationToken.None);
        return new BenchArchive(host);
    }

    private static async Task<bool> WaitForAsync(Func<bool> done, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!done())
        {
            if (deadline.Elapsed > timeout)
            {
                return false;
            }
            await Task.Delay(20);
        }
        return true;
    }

    private static ArchiveMessage Message(int rig, int channel, long seq) =>
        new(RigTopic.Parse($"bench/rig-{rig:D4}/ch{channel + 1}/telemetry", "bench")!, Payload(seq, channel), DateTimeOffset.UtcNow, null);

    /// <summary>A telemetry payload as the rig publishes it (docs/telemetry.md), ~370 bytes.</summary>
    private static byte[] Payload(long seq, int channel)
    {
        var at = Epoch.AddSeconds(seq);
        return Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"{{\"seq\":{seq},\"time\":\"{at:yyyy-MM-ddTHH:mm:ss.fffZ}\",\"unix_time_s\":{at.ToUnixTimeMilliseconds() / 1000.0},\"test_id\":\"ch{channel + 1}-0123456789ab\",\"test_time_s\":{seq},\"step_time_s\":{seq % 3600},\"cycle\":{1 + seq / 7200},\"step\":1,\"step_type\":\"CC_DCH\",\"voltage_V\":{0.01 + seq * 1e-6},\"current_A\":-0.000785,\"current_charging_A\":0.000785,\"step_capacity_Ah\":{seq * 2e-7},\"stack_pressure_MPa\":10.012,\"force_N\":785.9,\"temperature_degC\":40.01,\"step_end\":false}}"));
    }

    private sealed class BenchArchive(IHost host) : IAsyncDisposable
    {
        public ArchiveIngestor Ingestor => host.Services.GetRequiredService<ArchiveIngestor>();

        public async ValueTask DisposeAsync()
        {
            await host.StopAsync();
            host.Dispose();
        }
    }
}
