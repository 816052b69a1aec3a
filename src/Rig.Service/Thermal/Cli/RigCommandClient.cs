using System.Buffers;
using System.Text;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;
using Rig.Service.Telemetry;

namespace Rig.Service.Thermal.Cli;

/// <summary>
/// A short-lived MQTT 5 client that sends one command to the running service and waits for its reply, the way a
/// dashboard does: the command on "&lt;prefix&gt;/&lt;rig&gt;/cmd/&lt;verb&gt;" with a response topic under the rig's
/// "reply/" tree and correlation data. Uses the service's broker settings (Mqtt:Broker, Port, UseTls, CaFile) with
/// the login it is given (an account allowed to publish commands: "operator" in the shipped ACLs).
/// </summary>
public sealed class RigCommandClient : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly TopicTree _topics;
    private readonly TimeSpan _timeout;

    private RigCommandClient(IMqttClient client, TopicTree topics, TimeSpan timeout)
    {
        _client = client;
        _topics = topics;
        _timeout = timeout;
    }

    public static async Task<RigCommandClient> ConnectAsync(MqttOptions mqtt, string rigId, (string User, string? Password)? login, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mqtt);
        var (host, port) = string.IsNullOrWhiteSpace(mqtt.Broker) ? ("127.0.0.1", mqtt.EmbeddedBrokerPort) : (mqtt.Broker, mqtt.Port);
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithClientId($"{rigId}-cli-{Guid.NewGuid():N}"[..40])
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithCleanStart(true)
            .WithTimeout(timeout);
        if (login is { } l)
        {
            builder.WithCredentials(l.User, l.Password);
        }
        if (mqtt.UseTls)
        {
            var tls = new MqttClientTlsOptionsBuilder().WithTargetHost(host);
            if (mqtt.LoadCaCertificates() is { } chain)
            {
                tls.WithTrustChain(chain);
            }
            var tlsOptions = tls.Build();
            tlsOptions.UseTls = true;
            builder.WithTlsOptions(tlsOptions);
        }
        var client = new MqttClientFactory().CreateMqttClient();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        var result = await client.ConnectAsync(builder.Build(), cts.Token);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            client.Dispose();
            throw new InvalidOperationException($"the broker at {host}:{port} refused the login: {result.ResultCode}");
        }
        return new RigCommandClient(client, new TopicTree(mqtt.TopicPrefix, rigId), timeout);
    }

    /// <summary>Sends one command; the reply's JSON, or null when none came within the time-out.</summary>
    public async Task<JsonElement?> SendAsync(string verb, string payload, CancellationToken cancellationToken)
    {
        var replyTopic = $"{_topics.Root}/reply/cli/{Guid.NewGuid():N}";
        var correlation = Guid.NewGuid().ToByteArray();
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _client.ApplicationMessageReceivedAsync += e =>
        {
            if (e.ApplicationMessage.Topic == replyTopic && e.ApplicationMessage.CorrelationData is { } c && c.AsSpan().SequenceEqual(correlation))
            {
                answer.TrySetResult(JsonDocument.Parse(e.ApplicationMessage.Payload.ToArray()).RootElement.Clone());
            }
            return Task.CompletedTask;
        };
        await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(f => f.WithTopic(replyTopic).WithAtLeastOnceQoS()).Build(), cancellationToken);
        await _client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(_topics.Command(verb)).WithPayload(Encoding.UTF8.GetBytes(payload))
            .WithResponseTopic(replyTopic).WithCorrelationData(correlation)
            // Never run later than the CLI waits for its answer (docs/telemetry.md, "Rate limit and age").
            .WithMessageExpiryInterval((uint)Math.Max(1, Math.Ceiling(_timeout.TotalSeconds)))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken);
        try
        {
            return await answer.Task.WaitAsync(_timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>The retained value of a topic (e.g. a zone's state), or null when none arrives within the time-out.</summary>
    public async Task<JsonElement?> ReadRetainedAsync(string topic, CancellationToken cancellationToken)
    {
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _client.ApplicationMessageReceivedAsync += e =>
        {
            if (e.ApplicationMessage.Topic == topic)
            {
                answer.TrySetResult(JsonDocument.Parse(e.ApplicationMessage.Payload.ToArray()).RootElement.Clone());
            }
            return Task.CompletedTask;
        };
        await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(f => f.WithTopic(topic).WithAtLeastOnceQoS()).Build(), cancellationToken);
        try
        {
            return await answer.Task.WaitAsync(_timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    public TopicTree Topics => _topics;

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build());
        }
        _client.Dispose();
    }
}
