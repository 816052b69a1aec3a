using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rig.Service.Store;

namespace Rig.Service.Telemetry;

/// <summary>
/// Publishes the outbox in order: one page at a time from the oldest unsent row (memory is one page whatever
/// the backlog), each message QoS 1 with up to <see cref="MqttConnection.Window"/> PUBACKs awaited at once (the broker's receive maximum), the
/// page's rows marked sent once acknowledged (a commit without fsync: a lost mark only means a duplicate). A failed
/// publish stops the page; the next attempt starts again from the first unacknowledged row, so after an outage of any
/// length the backlog replays in order with its original timestamps, then the live messages follow. Delivery is at
/// least once: a crash between PUBACK and marking replays at most one page, and "seq" lets readers drop it.
/// </summary>
public sealed partial class OutboxPublisher : BackgroundService
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(10);
    private readonly RigStore _store;
    private readonly MqttConnection _connection;
    private readonly MqttOptions _mqtt;
    private readonly StoreOptions _storeOptions;
    private readonly TimeProvider _time;
    private readonly ILogger<OutboxPublisher> _logger;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private DateTimeOffset _lastPrune;

    public OutboxPublisher(RigStore store, MqttConnection connection, IOptions<MqttOptions> mqtt, IOptions<StoreOptions> storeOptions,
        TimeProvider time, ILogger<OutboxPublisher> logger)
    {
        ArgumentNullException.ThrowIfNull(mqtt);
        ArgumentNullException.ThrowIfNull(storeOptions);
        _store = store;
        _connection = connection;
        _mqtt = mqtt.Value;
        _storeOptions = storeOptions.Value;
        _time = time;
        _logger = logger;
        _store.OutboxAppended += Wake;
        _lastPrune = time.GetUtcNow();
    }

    /// <summary>Messages acknowledged since start (for the benchmark and logs).</summary>
    public long Published => Interlocked.Read(ref _published);

    private long _published;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await _connection.WaitConnectedAsync(stoppingToken);
                var page = _store.ReadUnsent(0, _mqtt.OutboxPageSize);
                if (page.Count == 0)
                {
                    await IdleAsync(stoppingToken);
                    continue;
                }
                var messages = page.Select(m => _connection.Message(_connection.Topics.Absolute(m.Topic), m.Payload, m.Retain)).ToList();
                var acknowledged = await _connection.PublishManyAsync(messages, stoppingToken);
                _store.MarkSent([.. page.Take(acknowledged).Select(m => m.Id)], _time.GetUtcNow());
                Interlocked.Add(ref _published, acknowledged);
                if (acknowledged < page.Count)
                {
                    LogBacklog(_store.CountUnsent());
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _store.OutboxAppended -= Wake;
        }
    }

    private async Task IdleAsync(CancellationToken stoppingToken)
    {
        var now = _time.GetUtcNow();
        if (now - _lastPrune >= PruneEvery)
        {
            _lastPrune = now;
            _store.PruneSent(now - _storeOptions.SentOutboxRetention);
        }
        try
        {
            await _wake.Reader.ReadAsync(stoppingToken).AsTask().WaitAsync(IdlePoll, _time, stoppingToken);
        }
        catch (TimeoutException)
        {
        }
    }

    private void Wake() => _wake.Writer.TryWrite(true);

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT publishing paused; {Count} messages wait in the outbox and will be replayed in order")]
    private partial void LogBacklog(long count);
}
