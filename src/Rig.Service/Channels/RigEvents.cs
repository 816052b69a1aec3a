using Microsoft.Extensions.Logging;

namespace Rig.Service.Channels;

/// <summary>
/// Where every <see cref="RigEvent"/> goes: logged at once, kept in a bounded in-memory history, and handed to
/// subscribers (store, telemetry). Thread-safe; subscribers must not block.
/// </summary>
public sealed partial class RigEvents
{
    private const int HistoryLength = 256;
    private readonly ILogger<RigEvents> _logger;
    private readonly Queue<RigEvent> _history = new();
    private readonly Lock _lock = new();

    public RigEvents(ILogger<RigEvents> logger)
    {
        _logger = logger;
    }

    private Action<RigEvent>? _raised;

    /// <summary>Raised after an event is recorded, on the raiser's thread.</summary>
    public event Action<RigEvent>? Raised
    {
        add { lock (_lock) { _raised += value; } }
        remove { lock (_lock) { _raised -= value; } }
    }

    /// <summary>
    /// Subscribes and first hands the subscriber every event still in the history, in order: what was raised while the
    /// service was being composed (a test found interrupted at start-up) reaches the store and the broker too.
    /// Each event reaches the subscriber exactly once.
    /// </summary>
    public void SubscribeWithHistory(Action<RigEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_lock)
        {
            foreach (var past in _history)
            {
                handler(past);
            }
            _raised += handler;
        }
    }

    public IReadOnlyList<RigEvent> Recent()
    {
        lock (_lock)
        {
            return [.. _history];
        }
    }

    public void Raise(RigEvent rigEvent)
    {
        ArgumentNullException.ThrowIfNull(rigEvent);
        var level = rigEvent.Severity switch
        {
            RigEventSeverity.Alarm => LogLevel.Error,
            RigEventSeverity.Warning => LogLevel.Warning,
            _ => LogLevel.Information,
        };
        LogEvent(level, rigEvent.Source, rigEvent.Code, rigEvent.Message);
        Action<RigEvent>? raised;
        lock (_lock)
        {
            _history.Enqueue(rigEvent);
            while (_history.Count > HistoryLength)
            {
                _history.Dequeue();
            }
            raised = _raised; // taken with the history, so a subscriber gets this event from one or the other, never both
        }
        raised?.Invoke(rigEvent);
    }

    [LoggerMessage(Message = "[{Source}] {Code}: {Message}")]
    private partial void LogEvent(LogLevel level, string source, string code, string message);
}
