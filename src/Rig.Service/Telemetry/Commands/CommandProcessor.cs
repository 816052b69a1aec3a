using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using Rig.Service.Configuration;

namespace Rig.Service.Telemetry.Commands;

/// <summary>
/// Takes commands off the connection's queues (never in the receive handler) and runs them on lanes
/// (<see cref="CommandLanes"/>): urgent verbs (abort, pause, all-off) on a lane of their own that never waits behind
/// another command, the rest side by side with each channel's, zone's and test's commands in arrival order and a
/// bounded number in flight (then the queue fills and further commands are answered "busy"). Each reply goes to the
/// command's MQTT 5 response topic with its correlation data (or to "&lt;prefix&gt;/&lt;rig&gt;/replies" when it gave
/// none). Retained commands and response topics outside the rig's reply subtrees are refused without running
/// (<see cref="CommandReplies.Refusal"/>). An abort or all-off supersedes the ordinary commands that arrived before it
/// and have not started (<see cref="CommandSupersession"/>): they are answered "superseded" and change nothing.
/// </summary>
public sealed partial class CommandProcessor : BackgroundService
{
    private readonly MqttConnection _connection;
    private readonly CommandRouter _router;
    private readonly CommandReplies _replies;
    private readonly CommandResources _resources;
    private readonly TimeProvider _time;
    private readonly ILogger<CommandProcessor> _logger;
    private readonly CommandLanes _urgent = new();
    private readonly CommandLanes _ordinary = new();
    private readonly CommandSupersession _supersession;

    public CommandProcessor(MqttConnection connection, CommandRouter router, CommandReplies replies, IOptions<RigOptions> rig, IOptions<MqttOptions> mqtt,
        TimeProvider time, ILogger<CommandProcessor> logger)
    {
        ArgumentNullException.ThrowIfNull(rig);
        ArgumentNullException.ThrowIfNull(mqtt);
        _connection = connection;
        _router = router;
        _replies = replies;
        _resources = new CommandResources(rig.Value, mqtt.Value.MaxCommandBytes);
        _supersession = new CommandSupersession(rig.Value.Channels.Keys);
        _time = time;
        _logger = logger;
    }

    /// <summary>How long a stop waits for commands still running (each bounds its own waits; this bounds the stop).</summary>
    public static readonly TimeSpan StopPatience = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.WhenAll(ServeAsync(_connection.Urgent, _urgent, stoppingToken), ServeAsync(_connection.Incoming, _ordinary, stoppingToken));
        }
        finally
        {
            // Commands still running see the stop token; the services they use stay up until they have returned.
            try
            {
                await Task.WhenAll(_urgent.WhenIdleAsync(), _ordinary.WhenIdleAsync()).WaitAsync(StopPatience, _time, CancellationToken.None);
            }
            catch (TimeoutException)
            {
                LogStillRunning(_urgent.InFlight + _ordinary.InFlight, StopPatience);
            }
        }
    }

    private async Task ServeAsync(ChannelReader<MqttApplicationMessage> queue, CommandLanes lanes, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var message in queue.ReadAllAsync(stoppingToken))
            {
                var verb = CommandReplies.VerbOf(message.Topic);
                if (CommandResources.IsUrgent(verb))
                {
                    // Noted before it is dispatched: from here on, what arrived before it and has not started is superseded.
                    _supersession.Arrived(verb, _connection.ArrivalOrder(message), message.Payload);
                }
                await lanes.DispatchAsync(_resources.Of(message.Payload), CommandResources.IsHeavy(verb), () => RunAsync(verb, message, stoppingToken),
                    ex => LogCommandFailed(ex, verb), stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RunAsync(string verb, MqttApplicationMessage message, CancellationToken stoppingToken)
    {
        var reply = _replies.RefusalOf(verb, message);
        if (reply is null && _supersession.Supersedes(verb, _connection.ArrivalOrder(message), message.Payload) is { } superseded)
        {
            reply = CommandReply.Error(verb, superseded);
        }
        if (reply is null)
        {
            try
            {
                reply = await _router.HandleAsync(verb, message.Payload, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // A command must never take the service down, and the runtime's exception text is for the log.
                LogCommandFailed(ex, verb);
                reply = CommandReply.Error(verb, "the command failed inside the service; it may not have completed. The service log has the details");
            }
        }
        if (reply.Deferred is { } later)
        {
            // A long command (a dry run) answers when it completes; its lane moves on meanwhile.
            _ = AnswerWhenDoneAsync(verb, later, message, stoppingToken);
            return;
        }
        await AnswerAsync(verb, reply, message, stoppingToken);
    }

    private async Task AnswerWhenDoneAsync(string verb, Task<CommandReply> later, MqttApplicationMessage message, CancellationToken stoppingToken)
    {
        CommandReply reply;
        try
        {
            reply = await later;
        }
        catch (Exception ex)
        {
            LogCommandFailed(ex, verb);
            reply = CommandReply.Error(verb, "the command failed inside the service; it may not have completed. The service log has the details");
        }
        try
        {
            await AnswerAsync(verb, reply, message, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogCommandFailed(ex, verb); // a late answer that cannot be sent must not surface as an unobserved task
        }
    }

    private async Task AnswerAsync(string verb, CommandReply reply, MqttApplicationMessage message, CancellationToken stoppingToken)
    {
        // A query changes nothing: every dashboard that opens asks one (its rights probe), which is no news at info.
        if (verb == "list-tests")
        {
            LogQuery(verb, reply.Ok, reply.Message);
        }
        else
        {
            LogCommand(verb, reply.Ok, reply.Message);
        }
        await _replies.SendAsync(message.ResponseTopic, message.CorrelationData, reply, stoppingToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Command {Verb}: ok={Ok} {Message}")]
    private partial void LogCommand(string verb, bool ok, string message);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Query {Verb}: ok={Ok} {Message}")]
    private partial void LogQuery(string verb, bool ok, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} command(s) still running {Patience} after the stop; not waited for")]
    private partial void LogStillRunning(int count, TimeSpan patience);

    [LoggerMessage(Level = LogLevel.Error, Message = "Command {Verb} failed")]
    private partial void LogCommandFailed(Exception ex, string verb);
}
