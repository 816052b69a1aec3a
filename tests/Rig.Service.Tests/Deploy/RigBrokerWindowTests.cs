using System.Text.RegularExpressions;
using MQTTnet;
using MQTTnet.Formatter;
using Rig.Service.Telemetry;
using Rig.Service.Tests.Support;
using Rig.Service.Tests.Telemetry;

namespace Rig.Service.Tests.Deploy;

/// <summary>
/// The publish window the service gets from the rig's own broker as shipped. mosquitto sends MQTT 5 clients its
/// <c>max_inflight_messages</c> as the CONNACK's Receive Maximum, and the service never has more PUBACKs outstanding
/// than that (<see cref="MqttConnection.Window"/>), so this one line sets how fast a backlog can drain.
/// </summary>
[Trait("Category", TestCategories.OutOfProcess)]
public partial class RigBrokerWindowTests
{
    [Fact]
    public async Task The_shipped_rig_broker_lets_the_service_keep_its_whole_window_in_flight()
    {
        var shipped = await File.ReadAllTextAsync(Path.Combine(DeployScripts.RepositoryRoot, "deploy/mosquitto/rig/anodefreerig-rig.conf"));
        var lines = InflightLine().Matches(shipped).Select(m => m.Value.Trim()).ToArray();
        Assert.Single(lines);

        Assert.True(await ReceiveMaximumAsync(lines) >= MqttConnection.MaxInflight,
            $"the shipped '{lines[0]}' gives the service a window under its {MqttConnection.MaxInflight}");
    }

    [Fact]
    public async Task Without_the_line_mosquitto_allows_twenty_in_flight()
    {
        // Why the shipped file sets it: mosquitto's default, as the broker itself reports it.
        Assert.Equal(20, await ReceiveMaximumAsync([]));
    }

    private static async Task<int> ReceiveMaximumAsync(IReadOnlyList<string> lines)
    {
        await using var broker = await MosquittoBroker.StartAsync(new BrokerSetup { ExtraLines = lines });
        using var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithProtocolVersion(MqttProtocolVersion.V500).Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var connected = await client.ConnectAsync(options, timeout.Token);
        await client.DisconnectAsync();
        // Absent means 65,535 (MQTT 5, 3.2.2.3.3).
        return connected.ReceiveMaximum is null or 0 ? 65_535 : connected.ReceiveMaximum.Value;
    }

    [GeneratedRegex(@"^\s*max_inflight_messages\s+\d+\s*$", RegexOptions.Multiline)]
    private static partial Regex InflightLine();
}
