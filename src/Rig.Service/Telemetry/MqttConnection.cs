using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Rig.Mqtt;
using Rig.Service.Configuration;

namespace Rig.Service.Telemetry;

/// <summary>
/// The service's one MQTT 5 client. Reconnects from a timer loop with exponential back-off (TryPingAsync, else
/// ConnectAsync), never from DisconnectedAsync (MQTTnet 5 deadlock risk). Connect and publish never overlap (one
/// gate). Received commands are only written to <see cref="Incoming"/>; nothing is published from the receive
/// handler (publishing QoS 1 there can deadlock and stalls keep-alive).
/// </summary>
public sealed partial class MqttConnection : BackgroundService
{
    private readonly MqttOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<MqttConnection> _logger;
    private readonly IMqttClient _client;
    // The connection under MQTTnet coalesces its writes: the PUBLISH packets of a window queued while one send is under way
    // go out in the next send together, instead of one send (and one broker read) per message (issue 19).
    private readonly WrappingAdapterFactory<CoalescingChannel> _channels;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Channel<MqttApplicationMessage> _incoming = Channel.CreateBounded<MqttApplicationMessage>(
        new BoundedChannelOptions(CommandQueueCapacity) { FullMode = BoundedChannelFullMode.Wait });
    private readonly string _clientId;
    private TaskCompletionSource _ready = NewSignal();

    public MqttConnection(IOptions<MqttOptions> options, IOptions<RigOptions> rig, TimeProvider time, ILogger<MqttConnection> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(rig);
        _options = options.Value;
        _time = time;
        _logger = logger;
        Topics = new TopicTree(_options.TopicPrefix, rig.Value.Id);
        _clientId = _options.ResolveClientId(rig.Value.Id);
        _channels = new(inner => new CoalescingChannel(inner, time));
        _client = new MqttClientFactory().CreateMqttClient(_channels);
        _client.DisconnectedAsync += _ =>
        {
            MarkLost();
            return Task.CompletedTask;
        };
        _client.ApplicationMessageReceivedAsync += e =>
        {
            Accept(e.ApplicationMessage);
            return Task.CompletedTask;
        };
    }

    public TopicTree Topics { get; }

    public bool IsConnected => _client.IsConnected && _ready.Task.IsCompleted;

    /// <summary>Commands received, in order. Read them elsewhere; reply with <see cref="PublishAsync"/>.</summary>
    public ChannelReader<MqttApplicationMessage> Incoming => _incoming.Reader;

    /// <summary>Called after every (re)connect, outside the receive handler, before the outbox resumes: discovery, state.</summary>
    public event Func<CancellationToken, Task>? Connected;

    /// <summary>Completes when the client is connected (birth published, commands subscribed).</summary>
    public Task WaitConnectedAsync(CancellationToken cancellationToken) => _ready.Task.WaitAsync(cancellationToken);

    /// <summary>Publishes with QoS 1 and waits for the PUBACK. False (and the connection treated as lost) if it did not come.</summary>
    public async Task<bool> PublishAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var timeout = new CancellationTokenSource(_options.PublishTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!_client.IsConnected)
            {
                return false;
            }
            var result = await _client.PublishAsync(message, linked.Token);
            // NoMatchingSubscribers is still a PUBACK: the broker has it.
            if (result.IsSuccess || result.ReasonCode == MqttClientPublishReasonCode.NoMatchingSubscribers)
            {
                return true;
            }
            LogPublishRefused(message.Topic, result.ReasonCode.ToString());
            return false;
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException
                                   && !cancellationToken.IsCancellationRequested)
        {
            LogPublishFailed(message.Topic, ex.Message);
            MarkLost();
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Publishes <paramref name="messages"/> in order with QoS 1, up to <see cref="Window"/> awaiting their PUBACK
    /// at once (one round trip per window instead of per message; MQTT keeps a client's messages in order). Returns
    /// how many, from the first, were acknowledged: it stops at the first failure, and the connection is then treated
    /// as lost, so a later publish starts again at the first unacknowledged message.
    /// </summary>
    public async Task<int> PublishManyAsync(IReadOnlyList<MqttApplicationMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        using var timeout = new CancellationTokenSource(_options.PublishTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        await _gate.WaitAsync(cancellationToken);
        var window = Window;
        var inflight = new Queue<(Task<MqttClientPublishResult> Ack, string Topic)>(window);
        var acknowledged = 0;
        try
        {
            if (!_client.IsConnected)
            {
                return 0;
            }
            foreach (var message in messages)
            {
                if (inflight.Count == window)
                {
                    if (!await AcknowledgedAsync(inflight.Dequeue()))
                    {
                        return acknowledged;
                    }
                    acknowledged++;
                    // Each acknowledged window buys the rest of the page another time-out.
                    timeout.CancelAfter(_options.PublishTimeout);
                }
                inflight.Enqueue((_client.PublishAsync(message, linked.Token), message.Topic));
            }
            while (inflight.Count > 0)
            {
                if (!await AcknowledgedAsync(inflight.Dequeue()))
                {
                    return acknowledged;
                }
                acknowledged++;
            }
            return acknowledged;
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException
                                   && !cancellationToken.IsCancellationRequested)
        {
            LogPublishFailed(messages[acknowledged].Topic, ex.Message);
            MarkLost();
            return acknowledged;
        }
        finally
        {
            // Nothing of this page may still be in flight when the gate opens (a reconnect must not overlap it).
            foreach (var (ack, _) in inflight)
            {
                try
                {
                    await ack;
                }
                catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException)
                {
                }
            }
            _gate.Release();
        }
    }

    /// <summary>
    /// The most PUBACKs <see cref="PublishManyAsync"/> awaits at once whatever the broker allows: a page's worth of
    /// telemetry in flight costs little memory, and past ~100 a loopback broker is the limit, not the round trip.
    /// </summary>
    public const int MaxInflight = 128;

    /// <summary>Before the first CONNACK says otherwise: under mosquitto's default receive maximum (20).</summary>
    private const int DefaultWindow = 16;

    private volatile int _window = DefaultWindow;

    /// <summary>
    /// PUBACKs awaited at once: the broker's Receive Maximum from its CONNACK (MQTT 5 flow control; mosquitto sends
    /// its max_inflight_messages, 20 by default; absent means 65,535), at most <see cref="MaxInflight"/>. Sending more
    /// than the broker's quota is a protocol error it disconnects for, and MQTTnet does not enforce it itself.
    /// </summary>
    public int Window => _window;

    private async Task<bool> AcknowledgedAsync((Task<MqttClientPublishResult> Ack, string Topic) pending)
    {
        var result = await pending.Ack;
        if (result.IsSuccess || result.ReasonCode == MqttClientPublishReasonCode.NoMatchingSubscribers)
        {
            return true;
        }
        LogPublishRefused(pending.Topic, result.ReasonCode.ToString());
        return false;
    }

    public MqttApplicationMessage Message(string topic, byte[] payload, bool retain, string contentType = JsonContentType) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag(retain)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithContentType(contentType).Build();

    private const string JsonContentType = "application/json";

    /// <summary>The birth and last-will messages ("online", "offline") are plain words, not JSON.</summary>
    private const string TextContentType = "text/plain";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = _options.ReconnectMinDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            var up = _client.IsConnected && await _client.TryPingAsync(stoppingToken) || await TryConnectAsync(stoppingToken);
            delay = up ? _options.ReconnectMinDelay : TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.ReconnectMaxDelay.Ticks));
            try
            {
                await Task.Delay(up ? _options.ReconnectMinDelay : delay, _time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_client.IsConnected)
        {
            // A clean DISCONNECT suppresses the will, so say "offline" ourselves.
            await PublishAsync(Message(Topics.Status, "offline"u8.ToArray(), true, TextContentType), cancellationToken);
            await _gate.WaitAsync(cancellationToken);
            try
            {
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), cancellationToken);
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    public override void Dispose()
    {
        _client.Dispose();
        _gate.Dispose();
        base.Dispose();
    }

    private async Task<bool> TryConnectAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!_client.IsConnected)
            {
                using var timeout = new CancellationTokenSource(_options.PublishTimeout, _time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
                var result = await _client.ConnectAsync(BuildOptions(), linked.Token);
                if (result.ResultCode != MqttClientConnectResultCode.Success)
                {
                    LogConnectRefused(result.ResultCode.ToString(), result.ReasonString ?? "");
                    return false;
                }
                _window = Math.Min(MaxInflight, result.ReceiveMaximum is null or 0 ? 65_535 : (int)result.ReceiveMaximum.Value);
                await _client.PublishAsync(Message(Topics.Status, "online"u8.ToArray(), true, TextContentType), linked.Token);
                await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                    .WithTopicFilter(f => f.WithTopic(Topics.CommandFilter).WithAtLeastOnceQoS()
                        // Keep the retain flag on live deliveries too, so a command published retained is refused at once,
                        // not only when the broker replays it at the next reconnect (CommandReplies.Refusal).
                        .WithRetainAsPublished(true)).Build(), linked.Token);
                LogConnected(EndpointText);
            }
        }
        // InvalidDataException, CryptographicException: the password or CA file became unreadable after start (replaced by
        // a FIFO, a device, garbage): logged and retried like a broker that is away, never an exception out of the loop.
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException or IOException
                                       or InvalidDataException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException
                                   && !cancellationToken.IsCancellationRequested)
        {
            LogConnectFailed(EndpointText, BrokerError.Describe(ex));
            return false;
        }
        finally
        {
            _gate.Release();
        }
        if (Connected is { } connected)
        {
            foreach (var handler in connected.GetInvocationList().Cast<Func<CancellationToken, Task>>())
            {
                await handler(cancellationToken);
            }
        }
        _ready.TrySetResult();
        return true;
    }

    private MqttClientOptions BuildOptions()
    {
        var (host, port) = Endpoint();
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithClientId(_clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(true)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
            .WithTimeout(_options.PublishTimeout)
            // The broker must not deliver larger packets (MQTT 5, 3.1.2.11.4): the command queue's memory bound.
            .WithMaximumPacketSize(MaximumPacketBytes)
            .WithWillTopic(Topics.Status)
            .WithWillPayload("offline"u8.ToArray())
            .WithWillContentType(TextContentType)
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (!string.IsNullOrWhiteSpace(_options.Username))
        {
            builder.WithCredentials(_options.Username, _options.ResolvePassword());
        }
        if (_options.UseTls)
        {
            var tls = new MqttClientTlsOptionsBuilder().WithTargetHost(host);
            if (_options.LoadCaCertificates() is { } chain)
            {
                tls.WithTrustChain(chain);
            }
            var tlsOptions = tls.Build();
            tlsOptions.UseTls = true;
            builder.WithTlsOptions(tlsOptions);
        }
        return builder.Build();
    }

    private string EndpointText => $"{Endpoint().Host}:{Endpoint().Port}";

    private (string Host, int Port) Endpoint() =>
        string.IsNullOrWhiteSpace(_options.Broker) ? ("127.0.0.1", _options.EmbeddedBrokerPort) : (_options.Broker, _options.Port);

    private void MarkLost()
    {
        var ready = _ready;
        if (ready.Task.IsCompleted)
        {
            Interlocked.CompareExchange(ref _ready, NewSignal(), ready);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT connected to {Endpoint}")]
    private partial void LogConnected(string endpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT broker {Endpoint} not reachable, will retry with back-off: {Reason}")]
    private partial void LogConnectFailed(string endpoint, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "MQTT broker refused the connection: {Code} {Reason} (check Mqtt:Username, Mqtt:PasswordFile)")]
    private partial void LogConnectRefused(string code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT publish to {Topic} failed; it stays in the outbox: {Reason}")]
    private partial void LogPublishFailed(string topic, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "MQTT broker refused a publish to {Topic}: {Code}")]
    private partial void LogPublishRefused(string topic, string code);

}
