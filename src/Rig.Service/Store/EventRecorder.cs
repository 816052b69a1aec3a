using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rig.Service.Channels;
using Rig.Service.Telemetry;

namespace Rig.Service.Store;

/// <summary>
/// Stores every <see cref="RigEvent"/> and queues it for "&lt;prefix&gt;/&lt;rig&gt;/events". The raiser's thread
/// only writes to a bounded channel (RigEvents asks subscribers not to block); a background task does the I/O.
/// </summary>
public sealed partial class EventRecorder : BackgroundService
{
    private const int Capacity = 4096;
    private readonly RigEvents _events;
    private readonly RigStore _store;
    private readonly ILogger<EventRecorder> _logger;
    private readonly Channel<RigEvent> _queue = Channel.CreateBounded<RigEvent>(new BoundedChannelOptions(Capacity)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
        SingleReader = true,
    });

    public EventRecorder(RigEvents events, RigStore store, ILogger<EventRecorder> logger)
    {
        _events = events;
        _store = store;
        _logger = logger;
        _events.SubscribeWithHistory(OnRaised);
    }

    private void OnRaised(RigEvent rigEvent)
    {
        if (!_queue.Writer.TryWrite(rigEvent))
        {
            LogDropped(rigEvent.Code);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var rigEvent in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                Store(rigEvent);
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
        }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException or ObjectDisposedException)
        {
            LogStoreFailed(ex, rigEvent.Code);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {Code} could not be queued for the store (queue full)")]
    private partial void LogDropped(string code);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event {Code} could not be stored")]
    private partial void LogStoreFailed(Exception ex, string code);
}
