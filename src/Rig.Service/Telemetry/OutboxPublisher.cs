using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rig.Service.Store;

namespace Rig.Service.Telemetry;

/// <summary>
/// Publishes the outbox in order: one page at a time from the oldest unsent row (memory is one page whatever
/// the backlog), each message QoS 1 with up to <see cref="MqttConnection.Window"/> PUBACKs awaited at once (the broker's receive maximum), the
/// page's rows marked sent once acknowledged (a commit without fsync: a lost mark only means a duplicate), while the next
/// page is already being published (the marks wait for the store's write lock; the publisher does not). A failed
/// publish stops the page; the next attempt starts again from the first unacknowledged row, so after an outage of any
/// length the backlog replays in order with its original timestamps, then the live messages follow. Delivery is at
/// least once: a crash between PUBACK and marking replays at most two pages, and "seq" lets readers drop them.
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
        // The last row acknowledged by the broker in this process: the next page starts after it, so the publisher does
        // not wait for the previous page's marks (a commit that queues behind the store writer's group commit and its
        // fsync) before sending more. A new process starts at the first unmarked row.
        var after = 0L;
        var rewinds = _store.OutboxRewinds;
        var marking = Task.CompletedTask;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await _connection.WaitConnectedAsync(stoppingToken);
                if (_store.OutboxRewinds != rewinds)
                {
                    // A replay put older rows back in the queue: start again at the first unsent row, once the marks
                    // in flight are committed (else their rows would be sent twice).
                    rewinds = _store.OutboxRewinds;
                    await marking;
                    after = 0;
                }
                var page = _store.ReadUnsent(after, _mqtt.OutboxPageSize);
                if (page.Count == 0)
                {
                    await IdleAsync(stoppingToken);
                    continue;
                }
                var messages = new List<MQTTnet.MqttApplicationMessage>(page.Count);
                foreach (var m in page)
                {
                    messages.Add(_connection.Message(AbsoluteTopic(m.Topic), m.Payload, m.Retain));
                }
                var acknowledged = await _connection.PublishManyAsync(messages, stoppingToken);
                if (acknowledged > 0)
                {
                    after = page[acknowledged - 1].Id;
                }
                // At most one page's marks commit at once, overlapping the next page's publishing: after a crash at most
                // two pages (the one being marked, the one being acknowledged) are sent again.
                await marking;
                long[] ids = [.. page.Take(acknowledged).Select(m => m.Id)];
                var at = _time.GetUtcNow();
                marking = ids.Length == 0 ? Task.CompletedTask : Task.Run(() => _store.MarkSent(ids, at), CancellationToken.None);
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
            // The last page's marks are committed before the store may be closed.
            await marking.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>
    /// An outbox topic made absolute, once per stream (a few per channel) instead of two new strings per message.
    /// </summary>
    private string AbsoluteTopic(string relative)
    {
        if (!_topics.TryGetValue(relative, out var absolute))
        {
            absolute = _connection.Topics.Absolute(relative);
            _topics[relative] = absolute;
        }
        return absolute;
    }

    private readonly Dictionary<string, string> _topics = new(StringComparer.Ordinal);

    private async Task IdleAsync(CancellationToken stoppingToken)
    {
        var now = _time.GetUtcNow();
        if (now - _lastPrune >= PruneEvery)
        {
            _lastPrune = now;
            _store.PruneSent(now - _storeOptions.SentOutboxRetention);
        }
        if (_wake.Reader.TryRead(out _))
        {
            return;
        }
        // A wake and the poll race without an exception (a timed-out WaitAsync threw one a second while idle): the wait
        // for a wake outlives a poll that won and is taken over by the next idle wait, so there is one wait, not one per
        // poll; the poll's timer is cancelled when the wake wins.
        _wakeWait ??= _wake.Reader.WaitToReadAsync(stoppingToken).AsTask();
        using var poll = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var woken = await Task.WhenAny(_wakeWait, Task.Delay(IdlePoll, _time, poll.Token)) == _wakeWait;
        if (woken)
        {
            _wakeWait = null;
            _wake.Reader.TryRead(out _);
            await poll.CancelAsync();
        }
    }

    private Task<bool>? _wakeWait;

    private void Wake() => _wake.Writer.TryWrite(true);

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT publishing paused; {Count} messages wait in the outbox and will be replayed in order")]
    private partial void LogBacklog(long count);
}
