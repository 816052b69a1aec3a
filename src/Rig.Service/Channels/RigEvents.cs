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

    /// <summary>Raised after an event is recorded, on the raiser's thread.</summary>
    public event Action<RigEvent>? Raised;

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
        lock (_lock)
        {
            _history.Enqueue(rigEvent);
            while (_history.Count > HistoryLength)
            {
                _history.Dequeue();
            }
        }
        Raised?.Invoke(rigEvent);
    }

    [LoggerMessage(Message = "[{Source}] {Code}: {Message}")]
    private partial void LogEvent(LogLevel level, string source, string code, string message);
}
