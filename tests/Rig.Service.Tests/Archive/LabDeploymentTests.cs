using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Rig.Service.Tests.Deploy;
using Rig.Service.Tests.Support;
using Rig.Service.Tests.Telemetry;

namespace Rig.Service.Tests.Archive;

/// <summary>
/// The shipped lab deployment with real parts: a central mosquitto from deploy/mosquitto/central (TLS for bridges,
/// password file, the shipped ACL with accounts added as add-account.sh adds them), three rigs each with its own
/// mosquitto from deploy/mosquitto/rig bridged to it over TLS, each rig's telemetry stack publishing to its own broker,
/// and the archive on PostgreSQL reading the central broker with its own account. Paths and ports are moved to a
/// temp directory on 127.0.0.1, as deploy/test/acl-test.sh does; nothing else in the files changes.
/// </summary>
[Trait("Category", TestCategories.OutOfProcess)]
public sealed class LabDeploymentTests : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private const int Samples = 150;
    private readonly PostgresFixture _postgres;
    private readonly string _work = Directory.CreateTempSubdirectory("rig-lab-").FullName;
    private readonly List<Process> _brokers = [];

    public LabDeploymentTests(PostgresFixture postgres) => _postgres = postgres;

    [Fact]
    public async Task Three_bridged_rigs_reach_the_archive_exactly_once_across_a_central_outage_and_home_assistant_gets_valid_discovery()
    {
        var conf = Path.Combine(DeployScripts.RepositoryRoot, "deploy/mosquitto");
        var central = Directory.CreateDirectory(Path.Combine(_work, "central")).FullName;
        Directory.CreateDirectory(Path.Combine(central, "data"));
        var tls = TestCertificates.WriteBrokerPki(Directory.CreateDirectory(Path.Combine(central, "certs")).FullName, "127.0.0.1");
        File.Copy(tls.CaFile, Path.Combine(central, "certs/ca.crt"), true);
        File.Copy(tls.CertFile, Path.Combine(central, "certs/broker.crt"), true);
        File.Copy(tls.KeyFile, Path.Combine(central, "certs/broker.key"), true);
        string[] rigs = ["rig-01", "rig-02", "rig-03"];
        foreach (var rig in rigs)
        {
            await Passwd(Path.Combine(central, "passwd"), rig, $"{rig}-pass");
        }
        await Passwd(Path.Combine(central, "passwd"), "archive", "archive-pass");
        await Passwd(Path.Combine(central, "passwd"), "homeassistant", "ha-pass");
        // The shipped ACL has rig-01 and rig-02; rig-03 gets the block add-account.sh appends.
        await File.WriteAllTextAsync(Path.Combine(central, "acl"), await File.ReadAllTextAsync(Path.Combine(conf, "central/acl"))
            + RigBlock(await File.ReadAllTextAsync(Path.Combine(conf, "central/acl")), "rig-03"));
        var (plain, tlsPort, ws) = (MosquittoBroker.FreePort(), MosquittoBroker.FreePort(), MosquittoBroker.FreePort());
        var centralConf = (await File.ReadAllTextAsync(Path.Combine(conf, "central/anodefreerig-central.conf")))
            .Replace("/etc/mosquitto/anodefreerig", central, StringComparison.Ordinal)
            .Replace("/var/lib/mosquitto/", Path.Combine(central, "data") + "/", StringComparison.Ordinal)
            .Replace("listener 1883 127.0.0.1", $"listener {plain} 127.0.0.1", StringComparison.Ordinal)
            .Replace("listener 8883\n", $"listener {tlsPort} 127.0.0.1\n", StringComparison.Ordinal)
            .Replace("listener 8081\n", $"listener {ws} 127.0.0.1\n", StringComparison.Ordinal)
            .Replace("listener 8884\n", $"listener {MosquittoBroker.FreePort()} 127.0.0.1\n", StringComparison.Ordinal) + $"\nuser {Environment.UserName}\n";
        await File.WriteAllTextAsync(Path.Combine(central, "mosquitto.conf"), centralConf);
        var centralBroker = await StartBrokerAsync(Path.Combine(central, "mosquitto.conf"), plain);

        var harnesses = new List<TelemetryHarness>();
        foreach (var rig in rigs)
        {
            var dir = Directory.CreateDirectory(Path.Combine(_work, rig)).FullName;
            Directory.CreateDirectory(Path.Combine(dir, "data"));
            Directory.CreateDirectory(Path.Combine(dir, "certs"));
            File.Copy(tls.CaFile, Path.Combine(dir, "certs/ca.crt"), true);
            await Passwd(Path.Combine(dir, "passwd"), "anodefreerig", "svc-pass");
            await File.WriteAllTextAsync(Path.Combine(dir, "acl"), (await File.ReadAllTextAsync(Path.Combine(conf, "rig/acl"))).Replace("@RIG@", rig, StringComparison.Ordinal));
            var port = MosquittoBroker.FreePort();
            var rigConf = (await File.ReadAllTextAsync(Path.Combine(conf, "rig/anodefreerig-rig.conf")))
                .Replace("/etc/mosquitto/anodefreerig", dir, StringComparison.Ordinal)
                .Replace("/var/lib/mosquitto/", Path.Combine(dir, "data") + "/", StringComparison.Ordinal)
                .Replace("listener 1883 127.0.0.1", $"listener {port} 127.0.0.1", StringComparison.Ordinal)
                .Replace("listener 1884 127.0.0.1", $"listener {MosquittoBroker.FreePort()} 127.0.0.1", StringComparison.Ordinal)
                .Replace("@RIG@", rig, StringComparison.Ordinal)
                .Replace("@CENTRAL@", $"127.0.0.1:{tlsPort}", StringComparison.Ordinal)
                .Replace("@BRIDGE_PASSWORD@", $"{rig}-pass", StringComparison.Ordinal) + $"\nuser {Environment.UserName}\n";
            await File.WriteAllTextAsync(Path.Combine(dir, "mosquitto.conf"), rigConf);
            await StartBrokerAsync(Path.Combine(dir, "mosquitto.conf"), port);
            await File.WriteAllTextAsync(Path.Combine(dir, "svc-password"), "svc-pass\n");
            var harness = new TelemetryHarness(port, Path.Combine(dir, "rig.db"), discovery: true, prefix: "anodefreerig", syncEveryCommit: false,
                rigId: rig, username: "anodefreerig", passwordFile: Path.Combine(dir, "svc-password"));
            harnesses.Add(harness);
        }
        await using var homeAssistant = await TestSubscriber.ConnectAsync(plain, "homeassistant/#", clientId: "anodefreerig-ha", login: ("homeassistant", "ha-pass"));
        var db = await _postgres.Server.CreateDatabaseAsync();
        await File.WriteAllTextAsync(Path.Combine(_work, "archive-password"), "archive-pass\n");
        var settings = ArchiveHost.Settings(plain, "anodefreerig", db, "anodefreerig-archive");
        settings["Archive:Username"] = "archive";
        settings["Archive:PasswordFile"] = Path.Combine(_work, "archive-password");
        await using var archive = await ArchiveHost.StartAsync(settings);
        try
        {
            var t0 = DateTimeOffset.Parse("2026-12-02T06:00:00Z", CultureInfo.InvariantCulture);
            var tests = new List<(TelemetryHarness Rig, string TestId)>();
            foreach (var harness in harnesses)
            {
                await harness.StartAsync();
                tests.Add((harness, await harness.StartTestAsync("ch1", t0)));
            }
            async Task Record(int from, int to)
            {
                for (var i = from; i <= to; i++)
                {
                    foreach (var (rig, testId) in tests)
                    {
                        await rig.Recorder.SampleAsync(TelemetryHarness.Sample(testId, "ch1", t0.AddSeconds(i), i), CancellationToken.None);
                    }
                }
            }
            Task<long> Count() => ArchiveDb.ScalarAsync<long>(db, "SELECT count(*) FROM samples");

            await Record(1, 50);
            await ArchiveDb.WaitUntilAsync(async () => await Count() == 150, TimeSpan.FromSeconds(90), "the first 50 samples of each rig");
            // The central broker goes down for a while: each rig's broker queues on its bridge; then it comes back.
            await StopAsync(centralBroker);
            await Record(51, Samples);
            centralBroker = await StartBrokerAsync(Path.Combine(central, "mosquitto.conf"), plain);
            await ArchiveDb.WaitUntilAsync(async () => await Count() == 3 * Samples, TimeSpan.FromSeconds(120), $"all {3 * Samples} samples");

            foreach (var rig in rigs)
            {
                Assert.Equal(Enumerable.Range(1, Samples).Select(i => (long)i),
                    await ArchiveDb.SeqsAsync(db, $"SELECT seq FROM samples WHERE rig = '{rig}' AND channel = 'ch1' ORDER BY seq"));
            }
            // A gap forced on purpose: rig-02's seq 60-80 taken out of the archive and its stream marked unchecked. The
            // archive finds the hole and asks rig-02 through the central broker (the archive account's cmd/replay right),
            // the bridge carries the command down and the replayed rows back up: all of them once again.
            await ArchiveDb.ScalarAsync<long>(db, """
                WITH gone AS (DELETE FROM samples WHERE rig = 'rig-02' AND channel = 'ch1' AND seq BETWEEN 60 AND 80 RETURNING 1)
                SELECT count(*) FROM gone
                """);
            await ArchiveDb.ScalarAsync<long>(db, "UPDATE stream_heads SET contiguous_seq = 0 WHERE rig = 'rig-02' AND stream = 'ch1/telemetry' RETURNING 0");
            await ArchiveDb.WaitUntilAsync(async () => await Count() == 3 * Samples
                && await ArchiveDb.ScalarAsync<long>(db, "SELECT count(*) FROM gaps WHERE rig = 'rig-02' AND from_seq = 60 AND to_seq = 80 AND closed_at IS NOT NULL") == 1,
                TimeSpan.FromSeconds(90), "rig-02's seq 60-80 replayed over the bridge");
            Assert.Equal(Enumerable.Range(1, Samples).Select(i => (long)i),
                await ArchiveDb.SeqsAsync(db, "SELECT seq FROM samples WHERE rig = 'rig-02' AND channel = 'ch1' ORDER BY seq"));
            Assert.Equal(0, await ArchiveDb.ScalarAsync<long>(db, "SELECT count(*) FROM open_gaps"));

            var configs = await homeAssistant.WaitForAsync(r => rigs.All(rig => r.Count(m => m.Topic.Contains($"/{rig}/", StringComparison.Ordinal)) >= 16),
                TimeSpan.FromSeconds(30));
            foreach (var config in configs.Where(m => m.Topic.EndsWith("/config", StringComparison.Ordinal)))
            {
                Assert.Empty(HomeAssistantRules.Problems(config.Topic, JsonDocument.Parse(config.Payload).RootElement));
            }
        }
        finally
        {
            foreach (var harness in harnesses)
            {
                await harness.DisposeAsync();
            }
        }
    }

    private async Task<Process> StartBrokerAsync(string configFile, int port)
    {
        var process = Process.Start(new ProcessStartInfo("/usr/sbin/mosquitto", ["-c", configFile]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        _brokers.Add(process);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
                return process;
            }
            catch (System.Net.Sockets.SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }

    private static async Task StopAsync(Process process)
    {
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        await process.WaitForExitAsync();
    }

    /// <summary>The shipped block of rig-01 with another rig's name (what add-account.sh appends for a rig).</summary>
    private static string RigBlock(string shippedAcl, string rig)
    {
        var lines = shippedAcl.Split('\n').SkipWhile(l => l != "user rig-01").TakeWhile(l => l.Length > 0);
        return "\n" + string.Join('\n', lines).Replace("rig-01", rig, StringComparison.Ordinal) + "\n";
    }

    private static async Task Passwd(string file, string name, string password)
    {
        string[] arguments = File.Exists(file) ? ["-b", file, name, password] : ["-b", "-c", file, name, password];
        using var passwd = Process.Start(new ProcessStartInfo("/usr/bin/mosquitto_passwd", arguments) { RedirectStandardError = true })!;
        await passwd.WaitForExitAsync();
        Assert.Equal(0, passwd.ExitCode);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    // IAsyncLifetime, not IAsyncDisposable: xunit v2 never calls a test class's IAsyncDisposable (v3 does), so as
    // IAsyncDisposable every run left the four mosquitto brokers running and the scratch directory behind.
    public async Task DisposeAsync()
    {
        foreach (var broker in _brokers.Where(b => !b.HasExited))
        {
            broker.Kill();
            await broker.WaitForExitAsync();
        }
        try
        {
            Directory.Delete(_work, true);
        }
        catch (IOException)
        {
        }
    }
}
