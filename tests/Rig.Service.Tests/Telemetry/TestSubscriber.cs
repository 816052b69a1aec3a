using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Formatter;

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
