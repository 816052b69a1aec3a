using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using Rig.Mqtt;

namespace Rig.Archive.Ingest;

/// <summary>
/// The archive's connection to the lab broker: a persistent MQTT 5 session (fixed client id, clean start off,
/// session expiry Archive:SessionExpiry) subscribed at QoS 1 to every rig's telemetry, cycles, state, spectra, events,
/// status and info. Messages are not acknowledged on receipt: each is queued for <see cref="ArchiveIngestor"/>,
/// which has the PUBACKs sent (<see cref="AcknowledgeAsync"/>) after the batch is committed. Unacknowledged messages stay
/// in the broker's session, so a crash or a lost connection redelivers them. Reconnects with back-off on its own timer loop.
/// MQTTnet's client runs the connection over an <see cref="ArchiveChannel"/> (buffered reads, one write per batch of PUBACKs).
/// </summary>
public sealed partial class LabSubscription : BackgroundService
{
    /// <summary>The topic patterns under the prefix that the archive reads.</summary>
    public static readonly string[] Patterns = ["+/+/telemetry", "+/+/cycles", "+/+/state", "+/+/spectrum", "+/events", "+/status", "+/info"];

    private readonly ArchiveOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<LabSubscription> _logger;
    private readonly IMqttClient _client;
    private readonly WrappingAdapterFactory<ArchiveChannel> _adapters = new(inner => new ArchiveChannel(inner));
    private readonly ConcurrentDictionary<string, RigTopic?> _topics = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Channel<ArchiveMessage> _received = Channel.CreateUnbounded<ArchiveMessage>(new UnboundedChannelOptions { SingleReader = true });
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public LabSubscription(IOptions<ArchiveOptions> options, TimeProvider time, ILogger<LabSubscription> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _time = time;
        _logger = logger;
        _client = new MqttClientFactory().CreateMqttClient(_adapters);
        _client.ApplicationMessageReceivedAsync += OnReceived;
        _client.DisconnectedAsync += _ =>
        {
            if (_connected.Task.IsCompleted)
            {
                _connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            return Task.CompletedTask;
        };
    }

    /// <summary>Messages received and not yet written, in arrival order.</summary>
    public ChannelReader<ArchiveMessage> Received => _received.Reader;

    public bool IsConnected => _client.IsConnected;

    public Task WaitConnectedAsync(CancellationToken cancellationToken) => _connected.Task.WaitAsync(cancellationToken);

    /// <summary>Publishes a command to a rig (QoS 1); false when not connected or not acknowledged.</summary>
    public async Task<bool> PublishAsync(string topic, byte[] payload, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!_client.IsConnected)
            {
                return false;
            }
            var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithContentType("application/json").Build();
            var result = await _client.PublishAsync(message, cancellationToken);
            return result.IsSuccess;
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException or OperationCanceledException
                                   && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    private Task OnReceived(MqttApplicationMessageReceivedEventArgs e)
    {
        var message = e.ApplicationMessage;
        var topic = Topic(message.Topic);
        if (topic is null)
        {
            return Task.CompletedTask;
        }
        // Only queued here: the PUBACK waits for the commit (and publishing from inside this handler can deadlock MQTTnet 5).
        // The message keeps its packet identifier and connection, not the event arguments (they would live as long as the batch).
        e.AutoAcknowledge = false;
        var packetId = message.QualityOfServiceLevel == MqttQualityOfServiceLevel.AtMostOnce ? (ushort)0 : e.PacketIdentifier;
        _received.Writer.TryWrite(new ArchiveMessage(topic, PayloadArray(message.Payload), _time.GetUtcNow(), _adapters.Current, packetId));
        return Task.CompletedTask;
    }

    /// <summary>A rig's topics are few (rigs x channels x kinds) and come again every second: parsed once each.</summary>
    private RigTopic? Topic(string topic)
    {
        if (_topics.TryGetValue(topic, out var known))
        {
            return known;
        }
        if (_topics.Count >= MaxKnownTopics)
        {
            _topics.Clear();
        }
        return _topics[topic] = RigTopic.Parse(topic, _options.TopicPrefix);
    }

    private const int MaxKnownTopics = 200_000;

    /// <summary>
    /// MQTTnet 5 decodes each payload into an array of its own (MqttBufferReader.ReadRemainingData), which is kept as it
    /// is; a payload in any other shape (several segments, part of a larger buffer) is copied.
    /// </summary>
    internal static byte[] PayloadArray(ReadOnlySequence<byte> payload) =>
        payload.IsSingleSegment && MemoryMarshal.TryGetArray(payload.First, out var segment) && segment.Array is { } array
            && segment.Offset == 0 && segment.Count == array.Length
            ? array
            : payload.ToArray();

    /// <summary>
    /// Sends the PUBACKs of committed messages, in their order (MQTT 5 §4.6), encoded by MQTTnet's packet formatter,
    /// all of a connection's in one write. A message that arrived on a connection that has since closed is not
    /// acknowledged: the broker redelivers it on the resumed session and the keys drop it.
    /// </summary>
    public async Task<AcknowledgeResult> AcknowledgeAsync(IReadOnlyList<ArchiveMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var formatter = new MqttPacketFormatterAdapter(MqttProtocolVersion.V500, new MqttBufferWriter(4096, 65536));
        var pubAck = new MqttPubAckPacket { ReasonCode = MqttPubAckReasonCode.Success };
        var packets = new ArrayBufferWriter<byte>(messages.Count * 4 + 16);
        ArchiveChannel? connection = null;
        var (pending, sent, failed) = (0, 0, 0);
        Exception? failure = null;
        foreach (var message in messages)
        {
            if (message.Connection is not { } next)
            {
                continue;
            }
            if (!ReferenceEquals(next, connection))
            {
                await FlushAsync();
                connection = next;
            }
            pubAck.PacketIdentifier = message.PacketId;
            packets.Write(formatter.Encode(pubAck).Join());
            pending++;
        }
        await FlushAsync();
        return new AcknowledgeResult(sent, failed, failure);

        async Task FlushAsync()
        {
            if (pending == 0 || connection is null)
            {
                return;
            }
            try
            {
                if (connection.IsClosed)
                {
                    throw new MQTTnet.Exceptions.MqttCommunicationException("the connection these messages arrived on is closed");
                }
                await connection.WriteAsync(packets.WrittenMemory, cancellationToken);
                sent += pending;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failed += pending;
                failure = ex;
            }
            packets.ResetWrittenCount();
            pending = 0;
        }
    }

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

    private async Task<bool> TryConnectAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_client.IsConnected)
            {
                return true;
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10), _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            var result = await _client.ConnectAsync(BuildOptions(), linked.Token);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                LogRefused(result.ResultCode.ToString(), result.ReasonString ?? "");
                return false;
            }
            // A resumed session keeps its subscriptions; subscribing again is harmless and covers a lost session.
            var subscribe = new MqttClientSubscribeOptionsBuilder();
            foreach (var pattern in Patterns)
            {
                subscribe.WithTopicFilter(f => f.WithTopic(_options.Filter(pattern)).WithAtLeastOnceQoS());
            }
            var granted = await _client.SubscribeAsync(subscribe.Build(), linked.Token);
            foreach (var item in granted.Items.Where(i => (int)i.ResultCode > 2))
            {
                LogSubscribeRefused(item.TopicFilter.Topic, item.ResultCode.ToString());
            }
            LogConnected($"{_options.Broker}:{_options.Port}", result.IsSessionPresent);
            _connected.TrySetResult();
            return true;
        }
        // InvalidDataException / CryptographicException: the password or CA file spoiled after start (checked at start);
        // logged and retried by this loop, the archive keeps running.
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException or IOException
                                       or InvalidDataException or System.Security.Cryptography.CryptographicException or UnauthorizedAccessException
                                   && !cancellationToken.IsCancellationRequested)
        {
            LogConnectFailed($"{_options.Broker}:{_options.Port}", ex.Message);
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    private MqttClientOptions BuildOptions()
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_options.Broker, _options.Port)
            .WithClientId(_options.ClientId)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)_options.SessionExpiry.TotalSeconds)
            .WithReceiveMaximum((ushort)_options.MaxInFlight)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (!string.IsNullOrWhiteSpace(_options.Username))
        {
            builder.WithCredentials(_options.Username, _options.ResolvePassword());
        }
        if (_options.UseTls)
        {
            var tls = new MqttClientTlsOptionsBuilder().WithTargetHost(_options.Broker);
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

    /// <summary>Closes the connection without a DISCONNECT's goodbye semantics mattering: the session stays on the broker.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_client.IsConnected)
        {
            try
            {
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), cancellationToken);
            }
            catch (MQTTnet.Exceptions.MqttCommunicationException)
            {
            }
        }
        _received.Writer.TryComplete();
    }

    public override void Dispose()
    {
        _client.Dispose();
        _gate.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Archive connected to the lab broker {Endpoint} (session resumed: {Resumed})")]
    private partial void LogConnected(string endpoint, bool resumed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lab broker {Endpoint} not reachable, will retry with back-off: {Reason}")]
    private partial void LogConnectFailed(string endpoint, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Lab broker refused the archive: {Code} {Reason} (check Archive:Username, Archive:PasswordFile)")]
    private partial void LogRefused(string code, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Lab broker refused the subscription {Filter}: {Code} (check the archive account's ACL)")]
    private partial void LogSubscribeRefused(string filter, string code);
}

/// <summary>What <see cref="LabSubscription.AcknowledgeAsync"/> did: PUBACKs written, and those not sent with the last reason.</summary>
public readonly record struct AcknowledgeResult(int Sent, int Failed, Exception? Failure);
