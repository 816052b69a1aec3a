using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet.Server;

namespace Rig.Service.Telemetry;

/// <summary>
/// With no broker configured (Mqtt:Broker empty, the dev-machine default) the service hosts an MQTTnet broker on
/// 127.0.0.1:Mqtt:EmbeddedBrokerPort so it runs alone. If the port is taken (often by a local mosquitto) it logs
/// a warning and carries on: the client then talks to whatever listens there.
/// </summary>
public sealed partial class EmbeddedBroker : IHostedService, IDisposable
{
    private readonly MqttOptions _options;
    private readonly ILogger<EmbeddedBroker> _logger;
    private MqttServer? _server;

    public EmbeddedBroker(IOptions<MqttOptions> options, ILogger<EmbeddedBroker> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = logger;
    }

    public bool IsRunning => _server?.IsStarted == true;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(_options.Broker))
        {
            return;
        }
        var serverOptions = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointPort(_options.EmbeddedBrokerPort)
            .Build();
        var server = new MqttServerFactory().CreateMqttServer(serverOptions);
        try
        {
            await server.StartAsync();
            _server = server;
            LogStarted(_options.EmbeddedBrokerPort);
        }
        catch (SocketException ex)
        {
            server.Dispose();
            LogPortTaken(_options.EmbeddedBrokerPort, ex.Message);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is { IsStarted: true } server)
        {
            await server.StopAsync();
        }
    }

    public void Dispose() => _server?.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "No Mqtt:Broker configured: embedded MQTT broker listening on 127.0.0.1:{Port}")]
    private partial void LogStarted(int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Embedded MQTT broker not started: 127.0.0.1:{Port} is taken ({Reason}). Continuing; the service will publish to whatever broker listens there. Set Mqtt:EmbeddedBrokerPort or Mqtt:Broker to change this.")]
    private partial void LogPortTaken(int port, string reason);
}
