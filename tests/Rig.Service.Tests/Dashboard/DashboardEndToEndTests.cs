using System.Globalization;
using Rig.Service.Tests.Deploy;
using Rig.Service.Tests.Support;
using Rig.Service.Tests.Telemetry;
using Xunit.Abstractions;

namespace Rig.Service.Tests.Dashboard;

/// <summary>
/// The browser dashboard end to end: a real mosquitto with the shipped lab ACL and a WebSockets listener that also
/// serves the built page (http_dir), the real service on simulated hardware logged in as rig-01, and Debian's
/// headless Chromium driven by playwright-core (dashboard/e2e/dashboard.e2e.mjs) as an operator and as a read-only
/// dashboard account. Screenshots go to artifacts/test-results/dashboard/.
/// </summary>
[Collection("Dashboard")]
[Trait("Category", TestCategories.OutOfProcess)]
public sealed class DashboardEndToEndTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly ITestOutputHelper _log;
    private readonly string _directory = Directory.CreateTempSubdirectory("rig-dashboard-").FullName;
    private readonly string _dashboard = Path.Combine(DeployScripts.RepositoryRoot, "dashboard");
    private readonly Dictionary<string, string> _passwords = new()
    {
        ["rig-01"] = RandomPassword(), ["rig-02"] = RandomPassword(), ["operator"] = RandomPassword(), ["dashboard"] = RandomPassword(),
    };

    public DashboardEndToEndTests(ITestOutputHelper log) => _log = log;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task An_operator_watches_a_test_run_and_commands_it_from_phone_and_desktop_layouts_and_a_read_only_login_cannot_command()
    {
        var chromium = Environment.GetEnvironmentVariable("CHROMIUM") ?? "/usr/bin/chromium";
        Assert.True(File.Exists(chromium), $"{chromium} not found: apt-get install chromium (.ci/run installs it)");
        await BuildDashboardAsync();

        await using var broker = await MosquittoBroker.StartAsync(new BrokerSetup
        {
            Users = [.. _passwords.Select(p => (p.Key, p.Value))],
            AclFile = Path.Combine(DeployScripts.RepositoryRoot, "deploy/mosquitto/central/acl"),
            WebSocketsHttpDirectory = Path.Combine(_dashboard, "dist"),
        });
        // rig-01's ch2 has the simulated 1260 wired to it: the page draws the spectrum of an Impedance step run there.
        await using var service = await StartRigAsync("rig-01", broker, new() { ["Impedance__Analyzers__eis__Kind"] = "Simulated", ["Impedance__Analyzers__eis__Channels__0"] = "ch2" });
        // A second rig on the same broker: the lab view lists both; it is then frozen (SIGSTOP) to show its cards go stale.
        await using var second = await StartRigAsync("rig-02", broker);

        var artifacts = Path.Combine(DeployScripts.RepositoryRoot, "artifacts/test-results/dashboard");
        var (exit, output) = await DeployScripts.RunAsync("node", ["e2e/dashboard.e2e.mjs"], TimeSpan.FromMinutes(5), new Dictionary<string, string>
        {
            ["DASHBOARD_URL"] = $"http://127.0.0.1:{broker.WebSocketsPort}/index.html",
            ["BROKER_WS_URL"] = $"ws://127.0.0.1:{broker.WebSocketsPort}/",
            ["BROKER_TCP_URL"] = $"mqtt://127.0.0.1:{broker.Port}",
            ["RIG"] = "rig-01",
            ["RIG2"] = "rig-02",
            ["RIG2_PID"] = second.Id.ToString(CultureInfo.InvariantCulture),
            ["OPERATOR"] = "operator",
            ["OPERATOR_PASSWORD"] = _passwords["operator"],
            ["VIEWER"] = "dashboard",
            ["VIEWER_PASSWORD"] = _passwords["dashboard"],
            ["ARTIFACTS"] = artifacts,
            ["CHROMIUM"] = chromium,
        }, _dashboard);
        _log.WriteLine(output);
        Assert.True(exit == 0, $"{output}\n--- service log ---\n{service.Output}");
        Assert.Contains("all dashboard checks passed", output, StringComparison.Ordinal);
        foreach (var screenshot in new[] { "dashboard-live.png", "dashboard-operator.png", "dashboard-viewer.png", "dashboard-phone.png", "dashboard-desktop.png", "dashboard-stale.png", "dashboard-all-off.png" })
        {
            var png = await File.ReadAllBytesAsync(Path.Combine(artifacts, screenshot));
            Assert.True(png.Length > 10_000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', $"{screenshot} is not a real screenshot");
        }
        Assert.False(service.HasExited, service.Output);
        // Every page load probes its rights with list-tests: a query, logged at debug, not at info on every open.
        Assert.Equal(0, service.CountLines("Command list-tests") + second.CountLines("Command list-tests"));
        Assert.True(service.CountLines("Command start") > 0, "the service log is read at info");
    }

    /// <summary>The real service on simulated hardware, logged in to the broker as <paramref name="rig"/>.</summary>
    private async Task<ServiceProcess> StartRigAsync(string rig, MosquittoBroker broker, Dictionary<string, string>? extra = null)
    {
        var passwordFile = Path.Combine(_directory, $"{rig}-password");
        await File.WriteAllTextAsync(passwordFile, _passwords[rig] + "\n");
        var settings = new Dictionary<string, string>(extra ?? new Dictionary<string, string>())
        {
            ["Rig__Id"] = rig,
            ["Rig__StateDirectory"] = Path.Combine(_directory, $"state-{rig}"),
            ["Rig__SamplePeriod"] = "00:00:00.250",
            ["Mqtt__Broker"] = "127.0.0.1",
            ["Mqtt__Port"] = broker.Port.ToString(CultureInfo.InvariantCulture),
            ["Mqtt__Username"] = rig,
            ["Mqtt__PasswordFile"] = passwordFile,
            ["Mqtt__StatePeriod"] = "00:00:01",
            // The lab ACL lets a rig write only its own tree; discovery belongs on the rig's local broker.
            ["Mqtt__HomeAssistantDiscovery"] = "false",
            ["Store__RecordPeriod"] = "00:00:01",
            // A short recent window, so the few minutes of this test give the V/I plot many points after a reload.
            ["Mqtt__RecentWindow"] = "00:10:00",
            ["Mqtt__RecentPeriod"] = "00:00:02",
        };
        var service = ServiceProcess.Start(settings);
        await service.WaitForLogAsync("MQTT connected", Patience);
        return service;
    }

    /// <summary>npm ci from the lockfile (only when node_modules is missing or older than the lockfile), then the build.</summary>
    private async Task BuildDashboardAsync()
    {
        var installed = Path.Combine(_dashboard, "node_modules/.package-lock.json");
        var lockfile = Path.Combine(_dashboard, "package-lock.json");
        if (!File.Exists(installed) || File.GetLastWriteTimeUtc(installed) < File.GetLastWriteTimeUtc(lockfile))
        {
            var (ci, ciLog) = await DeployScripts.RunAsync("npm", ["ci", "--no-audit", "--no-fund"], TimeSpan.FromMinutes(5), null, _dashboard);
            Assert.True(ci == 0, $"npm ci failed (needs node and npm, and the npm registry):\n{ciLog}");
        }
        var (build, buildLog) = await DeployScripts.RunAsync("npm", ["run", "build"], TimeSpan.FromMinutes(2), null, _dashboard);
        Assert.True(build == 0, buildLog);
        _log.WriteLine(buildLog);
    }

    private static string RandomPassword() => Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
}

[CollectionDefinition("Dashboard", DisableParallelization = true)]
public sealed class DashboardCollection;
