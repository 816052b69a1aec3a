using Rig.Service.Tests.Support;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rig.Service.Composition;
using Rig.Service.Recording;
using Rig.Service.Store;
using Rig.Service.Telemetry;

namespace Rig.Service.Tests.Telemetry;

/// <summary>The dev-machine default: no broker configured, the service hosts its own.</summary>
[Trait("Category", TestCategories.OutOfProcess)]
public sealed class EmbeddedBrokerTests
{
    [Fact]
    public async Task With_no_broker_configured_the_service_publishes_to_its_own_embedded_broker()
    {
        var port = MosquittoBroker.FreePort();
        var options = Options.Create(new MqttOptions { EmbeddedBrokerPort = port });
        using var broker = new EmbeddedBroker(options, NullLogger<EmbeddedBroker>.Instance);
        await broker.StartAsync(CancellationToken.None);
        Assert.True(broker.IsRunning);
        await using var subscriber = await TestSubscriber.ConnectAsync(port, "anodefreerig/rig-01/status");

        using var connection = new MqttConnection(options, Options.Create(new Rig.Service.Configuration.RigOptions()), TimeProvider.System, NullLogger<MqttConnection>.Instance);
        await connection.StartAsync(CancellationToken.None);

        var status = await subscriber.WaitForAsync(r => r.Any(m => m.Text == "online"), TimeSpan.FromSeconds(10));
        Assert.Equal("online", status[^1].Text);
        // Not JSON: a consumer that trusts the content type (Node-RED's mqtt-in) must not try to parse it.
        Assert.Equal("text/plain", status[^1].ContentType);
        await connection.StopAsync(CancellationToken.None);
        await broker.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_taken_embedded_broker_port_is_a_warning_not_a_crash()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        using var broker = new EmbeddedBroker(Options.Create(new MqttOptions { EmbeddedBrokerPort = port }), NullLogger<EmbeddedBroker>.Instance);

        await broker.StartAsync(CancellationToken.None);

        Assert.False(broker.IsRunning);
        await broker.StopAsync(CancellationToken.None);
    }

    [Fact]
    public void The_composed_service_records_tests_in_the_sqlite_store()
    {
        var directory = Directory.CreateTempSubdirectory("rig-compose-").FullName;
        try
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Rig:StateDirectory"] = directory,
                ["Mqtt:TopicPrefix"] = "lab",
                ["Rig:HeaterZones:z:Kind"] = "Simulated",
                ["Rig:Channels:ch1:Cell:Name"] = "HC-01",
                ["Rig:Channels:ch1:HeaterZone"] = "z",
                ["Rig:Channels:ch1:Instrument:Kind"] = "Simulated",
                ["Rig:Channels:ch1:Clamp:Kind"] = "Simulated",
            }).Build();
            var services = new ServiceCollection().AddLogging().AddRig(configuration);
            using var provider = services.BuildServiceProvider();

            Assert.IsType<StoreTestRecorder>(provider.GetRequiredService<ITestRecorder>());
            Assert.Equal("lab/rig-01", provider.GetRequiredService<MqttConnection>().Topics.Root);
            Assert.Equal(Path.Combine(directory, "rig.db"), provider.GetRequiredService<RigStore>().Path);
            Assert.True(File.Exists(Path.Combine(directory, "rig.db")));
        }
        finally
        {
            Directory.Delete(directory, true);
        }
    }
}
