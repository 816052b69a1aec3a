using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using MQTTnet;

namespace Rig.Service.Telemetry;

/// <summary>
/// The command intake, bounded in count and bytes. A command that finds the queue full is not dropped: what is
/// needed to answer it (verb, response topic, correlation data; not the payload) goes to <see cref="Busy"/> and it
/// is answered "busy, retry" (Commands/CommandBusyResponder.cs). Only when that second queue is full too is a
/// command left unanswered, counted and logged. The broker delivers no packet larger than
/// <see cref="MaximumPacketBytes"/>, so the queues hold at most CommandQueueCapacity × MaximumPacketBytes plus
/// BusyQueueCapacity small records (docs/telemetry.md, "Commands"). Urgent verbs (abort, pause, all-off:
/// <see cref="Commands.CommandResources.IsUrgent"/>) have a queue of their own, <see cref="Urgent"/>: a full ordinary
/// queue never answers them "busy".
/// </summary>
public sealed partial class MqttConnection
{
    /// <summary>Commands waiting to run.</summary>
    public const int CommandQueueCapacity = 64;

    /// <summary>Urgent commands waiting to run (they run on arrival; this only absorbs a burst).</summary>
    public const int UrgentQueueCapacity = 64;

    /// <summary>Commands waiting for their "busy" answer.</summary>
    public const int BusyQueueCapacity = 4096;

    /// <summary>Correlation data longer than this is not kept for a busy answer (the answer still goes out, uncorrelated).</summary>
    public const int MaxKeptCorrelationBytes = 1024;

    private readonly Channel<Commands.BusyCommand> _busy = Channel.CreateBounded<Commands.BusyCommand>(
        new BoundedChannelOptions(BusyQueueCapacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
    private readonly Channel<MqttApplicationMessage> _urgent = Channel.CreateBounded<MqttApplicationMessage>(
        new BoundedChannelOptions(UrgentQueueCapacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
    private long _commandsBusy;
    private long _commandsUnanswered;
    private readonly Commands.CommandRefusalCounts _rateLimited = new();
    private readonly Commands.CommandRefusalCounts _stale = new();
    private Commands.CommandRateLimiter? _limiter;
    // When each command arrived (for its message expiry), without changing what the queues carry.
    private readonly ConditionalWeakTable<MqttApplicationMessage, StrongBox<long>> _arrivals = new();
    // The order commands arrived in, across the urgent and ordinary queues (an abort supersedes what came before it).
    private readonly ConditionalWeakTable<MqttApplicationMessage, StrongBox<long>> _order = new();
    private long _arrived;

    /// <summary>
    /// The place of <paramref name="message"/> in the order commands arrived here (1, 2, ...), across both queues; a
    /// message that did not come through the intake is placed last (<see cref="long.MaxValue"/>).
    /// </summary>
    public long ArrivalOrder(MqttApplicationMessage message) =>
        message is not null && _order.TryGetValue(message, out var order) ? order.Value : long.MaxValue;

    /// <summary>How many commands arrived since start (queued, answered busy or refused on arrival).</summary>
    public long CommandsArrived => Interlocked.Read(ref _arrived);

    /// <summary>How many commands were refused "rate limited" since start (<see cref="Commands.CommandRateLimiter"/>).</summary>
    public long CommandsRateLimited => _rateLimited.Total;

    /// <summary>The "rate limited" refusals by client (published in the retained "health", <see cref="RigHealthPublisher"/>).</summary>
    public Commands.CommandRefusalCounts RateLimitedByClient => _rateLimited;

    /// <summary>The "stale" refusals by client (published in the retained "health").</summary>
    public Commands.CommandRefusalCounts StaleByClient => _stale;

    /// <summary>
    /// Null when <paramref name="message"/> is young enough to run (<see cref="Commands.CommandAge"/>: its message
    /// expiry, counted from its arrival here, and its "sent_at" user property), else why not.
    /// </summary>
    public string? AgeProblem(string verb, MqttApplicationMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        TimeSpan? waited = _arrivals.TryGetValue(message, out var arrived) ? _time.GetElapsedTime(arrived.Value) : null;
        var problem = Commands.CommandAge.Problem(verb, message, waited, _time.GetUtcNow(), _options.MaxCommandAge);
        if (problem is not null)
        {
            _stale.Add(Commands.CommandRateLimiter.ClientOf(message, $"{Topics.Root}/reply/"));
        }
        return problem;
    }

    /// <summary>How many commands were refused as stale since start.</summary>
    public long CommandsStale => _stale.Total;

    /// <summary>Urgent commands (abort, pause, all-off) received, in order; served on their own lane.</summary>
    public ChannelReader<MqttApplicationMessage> Urgent => _urgent.Reader;

    /// <summary>Commands that did not fit in the queue, to be answered "busy".</summary>
    public ChannelReader<Commands.BusyCommand> Busy => _busy.Reader;

    /// <summary>How many commands were answered "busy" since start.</summary>
    public long CommandsBusy => Interlocked.Read(ref _commandsBusy);

    /// <summary>How many commands could not even be answered "busy" (both queues full) since start.</summary>
    public long CommandsUnanswered => Interlocked.Read(ref _commandsUnanswered);

    /// <summary>The largest packet the broker may deliver: room for a command of Mqtt:MaxCommandBytes (a larger one is refused with a reason) and its properties.</summary>
    public uint MaximumPacketBytes => (uint)Math.Max(2 * _options.MaxCommandBytes, 64 * 1024) + 16 * 1024;

    // Runs in MQTTnet's receive handler: never blocks, never publishes. The channels are in Wait mode only so that
    // TryWrite says when they are full (in DropWrite mode it returns true and drops the item: the silent loss this replaces).
    private void Accept(MqttApplicationMessage message)
    {
        var verb = Commands.CommandReplies.VerbOf(message.Topic);
        _order.AddOrUpdate(message, new StrongBox<long>(Interlocked.Increment(ref _arrived)));
        if (message.MessageExpiryInterval > 0)
        {
            _arrivals.AddOrUpdate(message, new StrongBox<long>(_time.GetTimestamp()));
        }
        // Made on first use from the options: the receive handler is its only caller.
        var limiter = _limiter ??= new Commands.CommandRateLimiter(_options.CommandRatePerSecond, _options.CommandBurst, _time);
        var client = Commands.CommandRateLimiter.ClientOf(message, $"{Topics.Root}/reply/");
        var queue = Commands.CommandResources.IsUrgent(verb) ? _urgent : _incoming;
        string? refusal = null;
        if (limiter.TryTake(client, verb) is { } wait)
        {
            refusal = $"rate limited: client '{client}' sent more than {_options.CommandRatePerSecond:0.##} commands/s "
                      + $"(burst {_options.CommandBurst}); this one was not run, retry in {Math.Max(1, Math.Ceiling(wait.TotalSeconds)):0} s";
        }
        else if (queue.Writer.TryWrite(message))
        {
            return;
        }
        var correlation = message.CorrelationData is { Length: > 0 and <= MaxKeptCorrelationBytes } kept ? kept : null;
        var responseTopic = message.ResponseTopic is { Length: <= Commands.ReplyTopicPolicy.MaxLength } topic ? topic : null;
        if (_busy.Writer.TryWrite(new Commands.BusyCommand(verb, responseTopic, correlation, refusal)))
        {
            var limited = refusal is not null ? _rateLimited.Add(client) : Interlocked.Increment(ref _commandsBusy);
            if (refusal is not null && (limited & (limited - 1)) == 0)
            {
                LogRateLimited(limited, client);
            }
            return;
        }
        var unanswered = Interlocked.Increment(ref _commandsUnanswered);
        // One line per power of two: a flood must not flood the journal too.
        if ((unanswered & (unanswered - 1)) == 0)
        {
            LogCommandsUnanswered(unanswered, message.Topic);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} command(s) so far refused as rate limited; latest from client {Client}")]
    private partial void LogRateLimited(long count, string client);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} command(s) so far arrived with both the command queue and the busy queue full and got no answer; latest on {Topic}")]
    private partial void LogCommandsUnanswered(long count, string topic);
}
