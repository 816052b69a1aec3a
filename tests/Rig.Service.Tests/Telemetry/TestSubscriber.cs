using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Rig.Service.Tests.Telemetry;

/// <summary>A dashboard stand-in: an MQTT 5 client that records what it receives and reconnects on its own.</summary>
public sealed class TestSubscriber : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly MqttClientOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private Task? _keeper;

    private TestSubscriber(int port, string clientId, bool persistent, (string Name, string Password)? login)
    {
        var builder = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500).WithCleanStart(!persistent)
            .WithSessionExpiryInterval(persistent ? 3600u : 0u);
        if (login is { } user)
        {
            builder.WithCredentials(user.Name, user.Password);
        }
        _options = builder.Build();
        _client.ApplicationMessageReceivedAsync += e =>
        {
            var m = e.ApplicationMessage;
            Received.Enqueue(new Received(m.Topic, m.Payload.ToArray(), m.Retain, m.CorrelationData, m.ContentType));
            return Task.CompletedTask;
        };
    }

    public ConcurrentQueue<Received> Received { get; } = new();

    public IMqttClient Client => _client;

    public static async Task<TestSubscriber> ConnectAsync(int port, string filter, bool persistent = false, string? clientId = null, (string Name, string Password)? login = null)
    {
        var subscriber = new TestSubscriber(port, clientId ?? $"sub-{Guid.NewGuid():N}", persistent, login);
        await subscriber._client.ConnectAsync(subscriber._options);
        await subscriber._client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(f => f.WithTopic(filter).WithAtLeastOnceQoS()).Build());
        return subscriber;
    }

    /// <summary>Reconnects (keeping the persistent session) whenever the broker comes back.</summary>
    public void KeepConnected() => _keeper = Task.Run(async () =>
    {
        while (!_stop.IsCancellationRequested)
        {
            if (!_client.IsConnected)
            {
                try
                {
                    await _client.ConnectAsync(_options, _stop.Token);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                }
            }
            try
            {
                await Task.Delay(100, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    });

    /// <summary>
    /// Publishes a command (QoS 1) with a response topic and correlation data, and does not wait for its reply.
    /// <paramref name="configure"/> adds what a test needs beyond that (a retain flag, a user property, an expiry).
    /// </summary>
    public Task PublishRequestAsync(string topic, string payload, string responseTopic, byte[]? correlation = null,
        Action<MqttApplicationMessageBuilder>? configure = null)
    {
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithResponseTopic(responseTopic);
        if (correlation is not null)
        {
            message.WithCorrelationData(correlation);
        }
        configure?.Invoke(message);
        return _client.PublishAsync(message.Build());
    }

    /// <summary>
    /// Publishes a command and completes with its reply: the first message that arrives after the call carrying the
    /// same correlation data (a fresh one when none is given). This client must be subscribed to the response topic.
    /// </summary>
    public async Task<Received> RequestAsync(string topic, string payload, string responseTopic, TimeSpan timeout, byte[]? correlation = null)
    {
        correlation ??= Guid.NewGuid().ToByteArray();
        var already = Received.Count;
        await PublishRequestAsync(topic, payload, responseTopic, correlation);
        bool Answers(Received m) => m.CorrelationData is { } c && c.AsSpan().SequenceEqual(correlation);
        var replies = await WaitForAsync(r => r.Skip(already).Any(Answers), timeout);
        return replies.Skip(already).First(Answers);
    }

    public async Task<IReadOnlyList<Received>> WaitForAsync(Func<IReadOnlyList<Received>, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var snapshot = Received.ToList();
            if (done(snapshot))
            {
                return snapshot;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out after {timeout} with {snapshot.Count} messages; last: {snapshot.LastOrDefault()?.Topic}");
            }
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_keeper is not null)
        {
            await _keeper;
        }
        if (_client.IsConnected)
        {
            try
            {
                await _client.DisconnectAsync();
            }
            catch (MQTTnet.Exceptions.MqttCommunicationException)
            {
                // The broker went first (a test that stops it, or the service's embedded one): nothing left to say goodbye to.
            }
        }
        _client.Dispose();
        _stop.Dispose();
    }
}

public sealed record Received(string Topic, byte[] Payload, bool Retain, byte[]? CorrelationData, string? ContentType = null)
{
    public JsonElement Json => JsonDocument.Parse(Payload).RootElement;

    public string Text => System.Text.Encoding.UTF8.GetString(Payload);
}
