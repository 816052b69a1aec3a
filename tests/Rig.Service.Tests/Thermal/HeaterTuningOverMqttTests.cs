using System.Globalization;
using System.Text;
using MQTTnet;
using MQTTnet.Protocol;
using Rig.Service.Tests.Deploy;
using Rig.Service.Tests.Support;
using Rig.Service.Tests.Telemetry;

namespace Rig.Service.Tests.Thermal;

/// <summary>
/// The heater-tuning verbs end to end: a real mosquitto with the shipped lab ACL, the service executable on simulated
/// hardware logged in as rig-01, an operator and a read-only dashboard account. Gains set by the operator come back
/// on the retained zone state and after a restart; the dashboard's command never reaches the rig.
/// </summary>
[Trait("Category", TestCategories.OutOfProcess)]
public sealed class HeaterTuningOverMqttTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private const string Root = "anodefreerig/rig-01";
    private readonly string _directory = Directory.CreateTempSubdirectory("rig-heater-mqtt-").FullName;
    private readonly Dictionary<string, string> _passwords = new()
    {
        ["rig-01"] = Password(), ["operator"] = Password(), ["dashboard"] = Password(),
    };
    private MosquittoBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await MosquittoBroker.StartAsync(new BrokerSetup
    {
        Users = [.. _passwords.Select(p => (p.Key, p.Value))],
        AclFile = Path.Combine(DeployScripts.RepositoryRoot, "deploy/mosquitto/central/acl"),
    });

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task An_operator_sets_gains_and_autotunes_a_read_only_login_cannot_and_the_gains_survive_a_restart()
    {
        await using (var service = await StartServiceAsync())
        {
            await using var viewer = await TestSubscriber.ConnectAsync(_broker.Port, $"{Root}/reply/dashboard/#", login: ("dashboard", _passwords["dashboard"]));
            await using var replies = await TestSubscriber.ConnectAsync(_broker.Port, $"{Root}/reply/operator/#", login: ("operator", _passwords["operator"]));
            await using var zone = await TestSubscriber.ConnectAsync(_broker.Port, $"{Root}/zone/die-block/state", login: ("operator", _passwords["operator"]));

            // Read-only: the broker drops it, so the rig never sees it.
            await SendAsync(viewer, "set-gains", """{"zone":"die-block","kp_per_K":2,"ki_per_K_s":0.05,"kd_s_per_K":1}""", "dashboard");
            var set = await SendAsync(replies, "set-gains", """{"zone":"die-block","kp_per_K":0.7,"ki_per_K_s":0.003,"kd_s_per_K":8}""", "operator", 1);
            Assert.True(set.Json.GetProperty("ok").GetBoolean(), set.Text);
            var withGains = await zone.WaitForAsync(r => r.Any(m => Kp(m) == 0.7), Patience);
            Assert.DoesNotContain(withGains, m => Kp(m) == 2);
            Assert.Empty(viewer.Received);

            var tune = await SendAsync(replies, "autotune-heater", """{"zone":"die-block","target_degC":35}""", "operator", 2);
            Assert.True(tune.Json.GetProperty("ok").GetBoolean(), tune.Text);
            var tuning = (await zone.WaitForAsync(r => r.Any(IsTuning), Patience)).First(IsTuning);
            Assert.Equal(35, tuning.Json.GetProperty("autotune").GetProperty("target_degC").GetDouble(), 6);
            var cancel = await SendAsync(replies, "cancel-autotune", """{"zone":"die-block"}""", "operator", 3);
            Assert.True(cancel.Json.GetProperty("ok").GetBoolean(), cancel.Text);
            var reject = await SendAsync(replies, "reject-gains", """{"zone":"die-block"}""", "operator", 4);
            Assert.False(reject.Json.GetProperty("ok").GetBoolean(), reject.Text);

            // The CLI on the service executable, through the same broker and ACL.
            var (statusExit, status) = await CliAsync("heater", "status", "die-block", "--user", "operator", "--password-file", await PasswordFileAsync("operator"));
            Assert.True(statusExit == 0, status);
            Assert.Contains("Kp 0.7", status, StringComparison.Ordinal);
            var (setExit, set2) = await CliAsync("heater", "set-gains", "die-block", "0.75", "0.003", "8", "--user", "operator", "--password-file", await PasswordFileAsync("operator"));
            Assert.True(setExit == 0, set2);
            var (badExit, bad) = await CliAsync("heater", "set-gains", "die-block", "75", "0.003", "8", "--user", "operator", "--password-file", await PasswordFileAsync("operator"));
            Assert.True(badExit == 2 && bad.Contains("kp_per_K must be between 0 and 5", StringComparison.Ordinal), bad);
            var (viewerExit, viewerOutput) = await CliAsync("heater", "set-gains", "die-block", "2", "0.003", "8", "--user", "dashboard", "--password-file", await PasswordFileAsync("dashboard"));
            Assert.True(viewerExit == 69, viewerOutput); // the broker drops a read-only login's command: no reply
            await zone.WaitForAsync(r => r.Any(m => Kp(m) == 0.75), Patience);
            Assert.True(await service.StopAsync(), service.Output);
        }

        await using var restarted = await StartServiceAsync();
        await using var watcher = await TestSubscriber.ConnectAsync(_broker.Port, $"{Root}/zone/die-block/state", login: ("operator", _passwords["operator"]));
        var fresh = await watcher.WaitForAsync(r => r.Any(m => !m.Retain), Patience);
        Assert.Equal(0.75, Kp(fresh.First(m => !m.Retain)));
    }

    private async Task<string> PasswordFileAsync(string user)
    {
        var file = Path.Combine(_directory, $"{user}-password");
        await File.WriteAllTextAsync(file, _passwords[user] + "\n");
        return file;
    }

    /// <summary>Runs the service executable as a command-line tool against the test's broker.</summary>
    private async Task<(int Exit, string Output)> CliAsync(params string[] arguments) =>
        await DeployScripts.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "Rig.Service.dll"), .. arguments], TimeSpan.FromSeconds(60),
            new Dictionary<string, string>
            {
                ["Rig__StateDirectory"] = Path.Combine(_directory, "cli-state"),
                ["Mqtt__Broker"] = "127.0.0.1",
                ["Mqtt__Port"] = _broker.Port.ToString(CultureInfo.InvariantCulture),
            });

    private static bool IsTuning(Received m) => m.Json.GetProperty("mode").GetString() == "autotuning";

    private static double Kp(Received m) => m.Json.GetProperty("gains").GetProperty("kp_per_K").GetDouble();

    private async Task<ServiceProcess> StartServiceAsync()
    {
        var passwordFile = Path.Combine(_directory, "rig-password");
        await File.WriteAllTextAsync(passwordFile, _passwords["rig-01"] + "\n");
        var service = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["Rig__StateDirectory"] = Path.Combine(_directory, "state"),
            ["Mqtt__Broker"] = "127.0.0.1",
            ["Mqtt__Port"] = _broker.Port.ToString(CultureInfo.InvariantCulture),
            ["Mqtt__Username"] = "rig-01",
            ["Mqtt__PasswordFile"] = passwordFile,
            ["Mqtt__StatePeriod"] = "00:00:01",
            ["Mqtt__HomeAssistantDiscovery"] = "false",
        });
        await service.WaitForLogAsync("MQTT connected", Patience);
        return service;
    }

    /// <summary>Publishes a command with a response topic under the rig's tree; with <paramref name="replyNumber"/> waits for that many replies.</summary>
    private static async Task<Received> SendAsync(TestSubscriber client, string verb, string payload, string who, int replyNumber = 0)
    {
        await client.Client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic($"{Root}/cmd/{verb}").WithPayload(payload)
            .WithResponseTopic($"{Root}/reply/{who}/{verb}").WithCorrelationData(Encoding.UTF8.GetBytes(verb))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        if (replyNumber == 0)
        {
            return null!;
        }
        return (await client.WaitForAsync(r => r.Count >= replyNumber, Patience))[replyNumber - 1];
    }

    private static string Password() => Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
}
