using System.Globalization;
using Rig.Service.Tests.Support;
using Xunit.Abstractions;

namespace Rig.Service.Tests.Telemetry;

/// <summary>
/// The service process configured for a lab broker as docs/telemetry.md says (Mqtt:UseTls, Mqtt:CaFile,
/// Mqtt:Username, Mqtt:PasswordFile, all from configuration): mosquitto with a TLS listener whose certificate a
/// test CA signed, and a login. The watcher connects to the broker's plain listener with the same login, so
/// the service's birth message can only come over TLS (the service is given only the TLS port).
/// </summary>
[Trait("Category", TestCategories.OutOfProcess)]
public sealed class MqttTlsTests : IAsyncLifetime
{
    private const string Status = "anodefreerig/rig-01/status";
    private static readonly (string Name, string Password) Login = ("rig-tls", "tls-s3cret");
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _directory = Directory.CreateTempSubdirectory("rig-tls-").FullName;
    private readonly ITestOutputHelper _log;
    private BrokerTlsFiles _lab = null!;
    private MosquittoBroker _broker = null!;

    public MqttTlsTests(ITestOutputHelper log)
    {
        _log = log;
    }

    public async Task InitializeAsync()
    {
        _lab = TestCertificates.WriteBrokerPki(_directory, "lab");
        _broker = await MosquittoBroker.StartAsync(Login, _lab);
    }

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        Directory.Delete(_directory, true);
    }

    [Fact]
    public async Task The_service_connects_over_tls_trusting_the_lab_ca_from_its_ca_file_and_logs_in_from_its_password_file()
    {
        await using var watcher = await TestSubscriber.ConnectAsync(_broker.Port, Status, login: Login);
        await using var service = ServiceProcess.Start(Environment(_lab.CaFile));

        await service.WaitForLogAsync("MQTT connected", Patience);
        await watcher.WaitForAsync(r => r.Any(m => m.Text == "online"), Patience);
        Assert.True(await service.StopAsync(), service.Output);
        await watcher.WaitForAsync(r => r.LastOrDefault()?.Text == "offline", Patience);
    }

    [Fact]
    public async Task A_broker_certificate_from_another_ca_is_refused_logged_and_retried_without_crashing_the_service()
    {
        var stranger = TestCertificates.WriteBrokerPki(_directory, "stranger");
        await using var watcher = await TestSubscriber.ConnectAsync(_broker.Port, Status, login: Login);
        await using var service = ServiceProcess.Start(Environment(stranger.CaFile));

        // Two failed attempts: the reconnect loop is alive after the first refusal.
        await service.WaitForLogAsync("not reachable", Patience, occurrences: 2);
        var refusal = service.Output.Split('\n').First(line => line.Contains("not reachable", StringComparison.Ordinal));
        _log.WriteLine(refusal);
        Assert.Contains("certificate", refusal, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("MQTT connected", service.Output, StringComparison.Ordinal);
        Assert.False(service.HasExited, service.Output);
        Assert.Empty(watcher.Received);
    }

    private Dictionary<string, string> Environment(string caFile)
    {
        var passwordFile = Path.Combine(_directory, "mqtt-password");
        File.WriteAllText(passwordFile, Login.Password + "\n");
        return new()
        {
            ["Rig__StateDirectory"] = Path.Combine(_directory, "state"),
            ["Mqtt__Broker"] = "127.0.0.1",
            ["Mqtt__Port"] = _broker.TlsPort.ToString(CultureInfo.InvariantCulture),
            ["Mqtt__UseTls"] = "true",
            ["Mqtt__CaFile"] = caFile,
            ["Mqtt__Username"] = Login.Name,
            ["Mqtt__PasswordFile"] = passwordFile,
            ["Mqtt__ReconnectMinDelay"] = "00:00:00.200",
            ["Mqtt__ReconnectMaxDelay"] = "00:00:00.500",
            ["Mqtt__HomeAssistantDiscovery"] = "false",
        };
    }
}
