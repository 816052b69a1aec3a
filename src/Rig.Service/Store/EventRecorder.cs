using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rig.Service.Channels;
using Rig.Service.Telemetry;

namespace Rig.Service.Store;

/// <summary>
/// Stores every <see cref="RigEvent"/> and queues it for "&lt;prefix&gt;/&lt;rig&gt;/events". The raiser's thread
/// only writes to a bounded channel (RigEvents asks subscribers not to block); a background task does the I/O.
/// An event that does not fit (the store stalled while thousands were raised) is never dropped silently: every one
/// is counted (<see cref="Dropped"/>), and as soon as the queue has room again an "events.dropped" alarm saying how
/// many, and since when, is stored and published in their place. A store that cannot be written raises the
/// rig-wide store interlock (<see cref="StoreAvailability"/>).
/// </summary>
public sealed partial class EventRecorder : BackgroundService
{
    public const int DefaultCapacity = 4096;
    private readonly RigEvents _events;
    private readonly RigStore _store;
    private readonly ILogger<EventRecorder> _logger;
    private readonly StoreAvailability? _availability;
    private readonly int _capacity;
    private readonly Channel<RigEvent> _queue;
    private readonly Lock _droppedLock = new();
    private long _dropped;
    private long _droppedNotReported;
    private DateTimeOffset? _firstDroppedAt;

    public EventRecorder(RigEvents events, RigStore store, ILogger<EventRecorder> logger, StoreAvailability? availability = null, int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        _events = events;
        _store = store;
        _logger = logger;
        _availability = availability;
        _capacity = capacity;
        // DropOldest keeps the newest (most relevant) events; the callback is how a drop is counted, never silent.
        _queue = Channel.CreateBounded<RigEvent>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        }, OnDropped);
        _events.SubscribeWithHistory(OnRaised);
    }

    /// <summary>Events that never reached the store since start (each one is also in the log, where RigEvents wrote it).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    private void OnRaised(RigEvent rigEvent) => _queue.Writer.TryWrite(rigEvent);

    private void OnDropped(RigEvent rigEvent)
    {
        Interlocked.Increment(ref _dropped);
        lock (_droppedLock)
        {
            _droppedNotReported++;
            _firstDroppedAt ??= rigEvent.Timestamp;
        }
        LogDropped(rigEvent.Code);
    }

    // Called by the reader after each stored event: once there is room again, the loss is itself an alarm.
    private void ReportDropped(DateTimeOffset now)
    {
        long count;
        DateTimeOffset since;
        lock (_droppedLock)
        {
            if (_droppedNotReported == 0 || _queue.Reader.Count >= _capacity - 1)
            {
                return;
            }
            count = _droppedNotReported;
            since = _firstDroppedAt ?? now;
            _droppedNotReported = 0;
            _firstDroppedAt = null;
        }
        _events.Raise(new RigEvent(now, RigEventSeverity.Alarm, "rig", "events.dropped",
            FormattableString.Invariant($"{count} event(s) since {since:u} could not be queued for the store and MQTT (queue of {_capacity} full; {Dropped} in all since start); they are in the service log")));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var rigEvent in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                Store(rigEvent);
                ReportDropped(rigEvent.Timestamp);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _events.Raised -= OnRaised;
            while (_queue.Reader.TryRead(out var rigEvent))
            {
                Store(rigEvent);
            }
        }
    }

    private void Store(RigEvent rigEvent)
    {
        try
        {
            _store.AddEvent(rigEvent, seq => TelemetryPayloads.Event(rigEvent, seq));
            _availability?.Succeeded(StoreAvailability.Database);
        }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException or ObjectDisposedException or UnauthorizedAccessException)
        {
            LogStoreFailed(ex, rigEvent.Code);
            _availability?.Failed(StoreAvailability.Database, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Event {Code} could not be queued for the store (queue full); counted, reported as events.dropped")]
    private partial void LogDropped(string code);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event {Code} could not be stored")]
    private partial void LogStoreFailed(Exception ex, string code);
}
