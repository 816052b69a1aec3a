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
/// the archive (its own process and MQTT session) writing to PostgreSQL; (3) a backlog the broker queued while the
/// archive was stopped, drained once it starts again (the archive's own ingest rate, the rigs' side idle); (4) paced
/// like a lab, R rigs x 8 channels x 1 sample/s, for increasing R: does the archive keep up (backlog drained within 2 s
/// of the last publish)? The load generator, mosquitto, PostgreSQL and the archive share this machine's cores.
/// </summary>
internal static class ArchiveBench
{
    private const int Channels = 8;
    private static readonly DateTimeOffset Epoch = DateTimeOffset.Parse("2026-12-01T00:00:00Z", CultureInfo.InvariantCulture);

    public static async Task RunAsync()
    {
        await using var postgres = await BenchPostgres.StartAsync();
        await DatabasePathAsync(postgres);
        await WithMosquittoAsync(async (port, broker) =>
        {
            foreach (var writers in new[] { 1, 2 })
            {
                await FlatOutAsync(postgres, port, broker, rigs: 500, samplesPerChannel: 60, writers);
            }
            await BacklogRunsAsync(postgres, port, broker);
            foreach (var rigs in new[] { 500, 1000, 1500, 2000, 2500 })
            {
                await PacedAsync(postgres, port, broker, rigs, TimeSpan.FromSeconds(30));
            }
        });
    }

    /// <summary>"archive-backlog": step (3) alone, the archive catching up on what the broker queued while it was down, with 1 writer (as shipped) and 2.</summary>
    public static async Task BacklogOnlyAsync()
    {
        await using var postgres = await BenchPostgres.StartAsync();
        await WithMosquittoAsync((port, broker) => BacklogRunsAsync(postgres, port, broker));
    }

    private static async Task BacklogRunsAsync(BenchPostgres postgres, int port, int broker)
    {
        foreach (var writers in new[] { 1, 2 })
        {
            await BacklogAsync(postgres, port, broker, rigs: 500, rounds: BacklogRounds, writers);
        }
    }

    /// <summary>Rounds the rigs publish while the archive is down (RIG_BENCH_ARCHIVE_BACKLOG: another number).</summary>
    private static readonly int BacklogRounds =
        int.TryParse(Environment.GetEnvironmentVariable("RIG_BENCH_ARCHIVE_BACKLOG"), CultureInfo.InvariantCulture, out var rounds) && rounds > 0 ? rounds : 200;

    /// <summary>
    /// Catching up after an outage, as after an upgrade or a crash of the archive's host: the archive's persistent session
    /// is on the broker, the archive is stopped (SIGTERM) while the rigs publish, then it starts again (a cold process)
    /// and the broker delivers the backlog. The rigs have finished publishing by then, so the drain measures the archive's
    /// own ingest from the broker into PostgreSQL on these cores, without the load generator (31 µs of CPU per sample
    /// flat out) competing for them. Rates: from the process start to the last commit, and steady (10 % to 90 % of the
    /// rows, by commit timestamps).
    /// </summary>
    private static async Task BacklogAsync(BenchPostgres postgres, int port, int broker, int rigs, int rounds, int writers)
    {
        await using var archive = await ArchiveProcess.StartAsync(postgres, port, $"backlog{writers}", writers, sessionExpiry: TimeSpan.FromHours(1));
        await archive.StopAsync();
        var total = (long)rigs * Channels * rounds;
        var queueCpu0 = Cpu(archive, postgres, broker);
        var brokerKiB0 = ProcessMemory.ResidentKiB(broker);
        var queueClock = Stopwatch.StartNew();
        await using (var load = await LoadGenerator.ConnectAsync(port, archive.Prefix, rigs, Channels))
        {
            for (var seq = 1; seq <= rounds; seq++)
            {
                await load.PublishRoundAsync(seq);
            }
        }
        var queueSeconds = queueClock.Elapsed.TotalSeconds;
        var queueCpu = Cpu(archive, postgres, broker) - queueCpu0;
        var brokerKiB = ProcessMemory.ResidentKiB(broker);
        Console.WriteLine($"archive backlog: with the archive stopped, {rigs} rigs x {Channels} channels x {rounds} samples = {total:N0} messages queued on the broker " +
            FormattableString.Invariant($"in {queueSeconds:F1} s ({total / queueSeconds:N0}/s); CPU µs/sample: mosquitto {queueCpu.Mosquitto * 1e6 / total:F0}, load generator {queueCpu.LoadGenerator * 1e6 / total:F0}; ") +
            FormattableString.Invariant($"mosquitto resident {brokerKiB / 1024.0:F0} MiB (before: {brokerKiB0 / 1024.0:F0}), ") +
            (brokerKiB > brokerKiB0 ? FormattableString.Invariant($"{(brokerKiB - brokerKiB0) * 1024.0 / total:F0} bytes per queued message") : "no growth: it reused what an earlier backlog freed"));

        var cpu0 = Cpu(archive, postgres, broker);
        var loadAverage = new LoadAverage();
        var startedAt = DateTime.UtcNow;
        archive.StartAgain();
        var done = await archive.WaitForAsync(total, TimeSpan.FromMinutes(5));
        var cpu = Cpu(archive, postgres, broker) - cpu0;
        var stored = await archive.CountAsync();
        if (stored == 0)
        {
            Console.WriteLine($"archive backlog, {writers} writer(s): nothing in PostgreSQL after 5 min (see the archive's output above)");
            return;
        }
        var times = await archive.CommitTimesAsync(0, 0.1, 0.9, 1);
        var (first, tenth, ninetieth, last) = (times[0], times[1], times[2], times[3]);
        Console.WriteLine($"archive backlog, {writers} writer(s): {(done ? "all" : "NOT all")} {stored:N0} in PostgreSQL; " +
            FormattableString.Invariant($"first commit {(first - startedAt).TotalSeconds:F1} s after the process start, the last after {(last - startedAt).TotalSeconds:F1} s: ") +
            FormattableString.Invariant($"{stored / (last - startedAt).TotalSeconds:N0} samples/s from the start (cold: start-up and JIT included), ") +
            FormattableString.Invariant($"{0.8 * stored / (ninetieth - tenth).TotalSeconds:N0} samples/s steady (10 % to 90 % of the rows); ") +
            $"{cpu}{cpu.PerSample(stored)} (load average {loadAverage.Summary()})");
    }

    /// <summary>"archive-db": step (1) alone, to try a change to the schema or PostgreSQL's settings in a minute.</summary>
    public static async Task DatabasePathOnlyAsync()
    {
        await using var postgres = await BenchPostgres.StartAsync();
        await DatabasePathAsync(postgres);
    }

    /// <summary>"archive-flat": one flat-out run with 2 writers, to try a change to the archive's MQTT side.</summary>
    public static async Task FlatOutOnlyAsync()
    {
        await using var postgres = await BenchPostgres.StartAsync();
        await WithMosquittoAsync((port, broker) => FlatOutAsync(postgres, port, broker, rigs: 500, samplesPerChannel: 60, writers: 2));
    }

    private static async Task WithMosquittoAsync(Func<int, int, Task> run)
    {
        var directory = Directory.CreateTempSubdirectory("rig-bench-archive-").FullName;
        var port = TelemetryBench.FreePort();
        await File.WriteAllTextAsync(Path.Combine(directory, "mosquitto.conf"),
            $"listener {port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 2000000\nmax_inflight_messages 20000\nuser {Environment.UserName}\n" +
            "log_type error\nlog_type warning\n"); // not a line per connection: thousands of rigs connect
        using var mosquitto = Process.Start(new ProcessStartInfo("/usr/sbin/mosquitto", ["-c", Path.Combine(directory, "mosquitto.conf")]))!;
        try
        {
            await TelemetryBench.WaitForPortAsync(port);
            await run(port, mosquitto.Id);
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
        // An experiment's SQL run once on the fresh schema (e.g. "DROP INDEX samples_test" to see what that index costs).
        if (Environment.GetEnvironmentVariable("RIG_BENCH_ARCHIVE_SQL") is { Length: > 0 } experiment)
        {
            await using var connection = new Npgsql.NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand(experiment, connection);
            await command.ExecuteNonQueryAsync();
            Console.WriteLine($"archive database path: experiment, before the writes: {experiment}");
        }
        if (Environment.GetEnvironmentVariable("RIG_BENCH_ARCHIVE_STATEMENTS") is { Length: > 0 })
        {
            await using var connection = new Npgsql.NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset()", connection);
            await command.ExecuteNonQueryAsync();
        }
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
            $"{inserted / (archiveCpu + postgresCpu):N0} per CPU-second of both, i.e. {archiveCpu * 1e6 / inserted:F0} + {postgresCpu * 1e6 / inserted:F0} µs per sample (load average now {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
        Console.WriteLine($"archive database path, all duplicates: {duplicates:N0} in {again.Elapsed.TotalSeconds:F2} s ({duplicates / again.Elapsed.TotalSeconds:N0}/s, nothing written)");
        if (Environment.GetEnvironmentVariable("RIG_BENCH_ARCHIVE_STATEMENTS") is { Length: > 0 })
        {
            await PrintStatementsAsync(connectionString, offered);
        }
    }

    /// <summary>
    /// Where PostgreSQL's time goes, per statement (pg_stat_statements: needs shared_preload_libraries = 'pg_stat_statements' in
    /// the file RIG_BENCH_ARCHIVE_PG_CONF names). Execution time is wall time of one backend: its CPU plus its waits (fsync at commit).
    /// </summary>
    private static async Task PrintStatementsAsync(string connectionString, int samples)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("""
            SELECT calls, total_exec_time, wal_bytes, wal_fpi, left(regexp_replace(query, '\s+', ' ', 'g'), 90)
            FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 12
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            Console.WriteLine(FormattableString.Invariant(
                $"  statement: {reader.GetInt64(0),6} calls, {reader.GetDouble(1) * 1000 / samples,6:F1} µs/sample, WAL {reader.GetDecimal(2) / samples,7:F0} B/sample, {reader.GetInt64(3),6} full pages: {reader.GetString(4)}"));
        }
        await reader.CloseAsync();
        await using var tables = new Npgsql.NpgsqlCommand("""
            SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, pg_total_relation_size(relid) FROM pg_stat_user_tables
            WHERE relname IN ('tests', 'stream_heads', 'channel_now') ORDER BY relname
            """, connection);
        await using var rows = await tables.ExecuteReaderAsync();
        while (await rows.ReadAsync())
        {
            Console.WriteLine(FormattableString.Invariant(
                $"  table {rows.GetString(0)}: {rows.GetInt64(1)} inserted, {rows.GetInt64(2)} updated of which {rows.GetInt64(3)} HOT, {rows.GetInt64(4) / 1024} kB"));
        }
    }

    /// <summary>
    /// Every rig publishes its 8 channels' samples as fast as the broker takes them; the archive (its own process, as
    /// deployed) writes them. Ingest rate = samples committed in PostgreSQL / time from the first publish to the last commit.
    /// A warm-up of <see cref="WarmUpRounds"/> rounds goes first and is reported on its own line: a fresh .NET process
    /// spends the first tens of seconds compiling its hot code again with tiered compilation (about a quarter of the
    /// archive's CPU in a cold 40-s run, measured with perf), which a lab archive running for months pays once.
    /// </summary>
    private static async Task FlatOutAsync(BenchPostgres postgres, int port, int broker, int rigs, int samplesPerChannel, int writers)
    {
        await using var archive = await ArchiveProcess.StartAsync(postgres, port, $"flat{writers}", writers);
        await using var load = await LoadGenerator.ConnectAsync(port, archive.Prefix, rigs, Channels);
        var warmUp = (long)rigs * Channels * WarmUpRounds;
        var warmCpu0 = Cpu(archive, postgres, broker);
        var warmClock = Stopwatch.StartNew();
        for (var seq = 1; seq <= WarmUpRounds; seq++)
        {
            await load.PublishRoundAsync(seq);
        }
        await archive.WaitForAsync(warmUp, TimeSpan.FromMinutes(2));
        var warmCpu = Cpu(archive, postgres, broker) - warmCpu0;
        Console.WriteLine($"archive end to end, warm-up, {writers} writer(s): {warmUp:N0} messages in {warmClock.Elapsed.TotalSeconds:F1} s{warmCpu.PerSample(warmUp)} (JIT included)");

        var total = (long)rigs * Channels * samplesPerChannel;
        var cpu0 = Cpu(archive, postgres, broker);
        var loadAverage = new LoadAverage();
        var startedAt = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        var publishing = Task.Run(async () =>
        {
            for (var seq = WarmUpRounds + 1; seq <= WarmUpRounds + samplesPerChannel; seq++)
            {
                await load.PublishRoundAsync(seq);
            }
            return clock.Elapsed;
        });
        var done = await archive.WaitForAsync(warmUp + total, TimeSpan.FromMinutes(5));
        var publishSeconds = (await publishing).TotalSeconds;
        var cpu = Cpu(archive, postgres, broker) - cpu0;
        var seconds = done ? (await archive.LastCommitAsync() - startedAt).TotalSeconds : clock.Elapsed.TotalSeconds;
        var stored = await archive.CountAsync() - warmUp;
        Console.WriteLine($"archive end to end, flat out, {writers} writer(s): {rigs} rigs x {Channels} channels x {samplesPerChannel} samples = {total:N0} messages from {rigs} MQTT connections; " +
            $"published in {publishSeconds:F1} s ({total / publishSeconds:N0}/s by the load generator); {(done ? "all" : "NOT all")} {stored:N0} in PostgreSQL after {seconds:F1} s: " +
            $"{stored / seconds:N0} samples/s ingested; {cpu}{cpu.PerSample(stored)} (load average {loadAverage.Summary()})");
    }

    /// <summary>Rounds (one sample of every channel of every rig) sent before a flat-out run is timed (RIG_BENCH_ARCHIVE_WARMUP: another number).</summary>
    private static readonly int WarmUpRounds =
        int.TryParse(Environment.GetEnvironmentVariable("RIG_BENCH_ARCHIVE_WARMUP"), CultureInfo.InvariantCulture, out var rounds) && rounds >= 0 ? rounds : 40;

    /// <summary>R rigs x 8 channels x 1 sample/s for a while, as a lab runs: does the archive keep up (backlog gone within 2 s)?</summary>
    private static async Task PacedAsync(BenchPostgres postgres, int port, int broker, int rigs, TimeSpan duration)
    {
        await using var archive = await ArchiveProcess.StartAsync(postgres, port, $"paced{rigs}", writers: 2);
        var seconds = (int)duration.TotalSeconds;
        var total = (long)rigs * Channels * seconds;
        await using var load = await LoadGenerator.ConnectAsync(port, archive.Prefix, rigs, Channels);
        var cpu0 = Cpu(archive, postgres, broker);
        var loadAverage = new LoadAverage();
        var clock = Stopwatch.StartNew();
        var worstLag = 0L;
        var publishedAt = DateTime.UtcNow;
        for (var seq = 1; seq <= seconds; seq++)
        {
            await load.PublishRoundAsync(seq);
            publishedAt = DateTime.UtcNow;
            worstLag = Math.Max(worstLag, (long)seq * rigs * Channels - await archive.CommittedAsync());
            var next = TimeSpan.FromSeconds(seq);
            if (clock.Elapsed < next)
            {
                await Task.Delay(next - clock.Elapsed);
            }
        }
        var publishEnd = clock.Elapsed;
        var drained = await archive.WaitForAsync(total, TimeSpan.FromSeconds(90));
        var cpu = Cpu(archive, postgres, broker) - cpu0;
        // From the last round's publish to the last sample's commit (commit timestamps: exact, whatever the polling).
        var drain = drained ? await archive.LastCommitAsync() - publishedAt : clock.Elapsed - publishEnd;
        var stored = await archive.CountAsync();
        var keptUp = drained && stored == total && drain < TimeSpan.FromSeconds(2) && publishEnd < duration + TimeSpan.FromSeconds(2);
        Console.WriteLine($"archive paced: {rigs} rigs x {Channels} channels at 1 Hz = {rigs * Channels:N0} samples/s offered for {seconds} s over {rigs} MQTT connections; " +
            $"{stored:N0}/{total:N0} in PostgreSQL, the last {drain.TotalSeconds:F1} s after the last publish (publishing took {publishEnd.TotalSeconds:F1} s; " +
            $"most not yet committed at a round's end: {worstLag:N0}); {cpu}{cpu.PerSample(stored)} (load average {loadAverage.Summary()}): {(keptUp ? "keeps up" : "falls behind")}");
    }

    /// <summary>CPU used so far; the archive and mosquitto are this process's children, so ProcessCpu counts them in its total too.</summary>
    private static CpuSeconds Cpu(ArchiveProcess archive, BenchPostgres postgres, int broker)
    {
        var (archiveCpu, brokerCpu) = (ProcessCpu.Seconds(archive.Pid), ProcessCpu.Seconds(broker));
        return new(archiveCpu, postgres.CpuSeconds(), brokerCpu, ProcessCpu.Seconds(Environment.ProcessId) - archiveCpu - brokerCpu);
    }

    private readonly record struct CpuSeconds(double Archive, double Postgres, double Mosquitto, double LoadGenerator)
    {
        public static CpuSeconds operator -(CpuSeconds a, CpuSeconds b) =>
            new(a.Archive - b.Archive, a.Postgres - b.Postgres, a.Mosquitto - b.Mosquitto, a.LoadGenerator - b.LoadGenerator);

        public override string ToString() =>
            $"CPU s: archive {Archive:F1}, PostgreSQL {Postgres:F1}, mosquitto {Mosquitto:F1}, load generator {LoadGenerator:F1}";

        /// <summary>CPU µs per sample per process: what the load average distorts least on a shared machine.</summary>
        public string PerSample(long samples) => samples <= 0 ? "" : FormattableString.Invariant(
            $"; CPU µs/sample: archive {Archive * 1e6 / samples:F0}, PostgreSQL {Postgres * 1e6 / samples:F0}, mosquitto {Mosquitto * 1e6 / samples:F0}, load generator {LoadGenerator * 1e6 / samples:F0}, total {(Archive + Postgres + Mosquitto + LoadGenerator) * 1e6 / samples:F0}");
    }

    /// <summary>The 1-minute load average sampled every second while a run lasts (the machine is shared).</summary>
    private sealed class LoadAverage
    {
        private readonly List<double> _samples = [];
        private readonly Timer _timer;

        public LoadAverage() => _timer = new Timer(_ =>
        {
            var now = double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
            lock (_samples)
            {
                _samples.Add(now);
            }
        }, null, TimeSpan.Zero, TimeSpan.FromSeconds(1));

        public string Summary()
        {
            _timer.Dispose();
            lock (_samples)
            {
                return _samples.Count == 0 ? "?" : $"{_samples.Min():F0}-{_samples.Max():F0}, mean {_samples.Average():F0}, on {Environment.ProcessorCount} cores";
            }
        }
    }

    private static ArchiveMessage Message(int rig, int channel, long seq) =>
        new(RigTopic.Parse($"bench/rig-{rig:D4}/ch{channel + 1}/telemetry", "bench")!, Payload(seq, channel, rig), DateTimeOffset.UtcNow, null);

    /// <summary>A telemetry payload as the rig publishes it (docs/telemetry.md), ~370 bytes; a test id per rig and channel.</summary>
    internal static byte[] Payload(long seq, int channel, int rig)
    {
        var at = Epoch.AddSeconds(seq);
        return Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"{{\"seq\":{seq},\"time\":\"{at:yyyy-MM-ddTHH:mm:ss.fffZ}\",\"unix_time_s\":{at.ToUnixTimeMilliseconds() / 1000.0},\"test_id\":\"r{rig:D4}ch{channel + 1}-0123456789ab\",\"test_time_s\":{seq},\"step_time_s\":{seq % 3600},\"cycle\":{1 + seq / 7200},\"step\":1,\"step_type\":\"CC_DCH\",\"voltage_V\":{0.01 + seq * 1e-6},\"current_A\":-0.000785,\"current_charging_A\":0.000785,\"step_capacity_Ah\":{seq * 2e-7},\"stack_pressure_MPa\":10.012,\"force_N\":785.9,\"temperature_degC\":40.01,\"step_end\":false}}"));
    }
}
