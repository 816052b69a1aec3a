using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;

namespace Rig.Service.Telemetry.Commands;

/// <summary>
/// Takes commands off the connection's queue (never in the receive handler), runs them one at a time, and
/// publishes each reply to the command's MQTT 5 response topic with its correlation data (or to
/// "&lt;prefix&gt;/&lt;rig&gt;/replies" when it gave none). Retained commands and response topics outside the
/// rig's reply subtrees are refused without running (<see cref="CommandReplies.Refusal"/>).
/// </summary>
public sealed partial class CommandProcessor : BackgroundService
{
    private readonly MqttConnection _connection;
    private readonly CommandRouter _router;
    private readonly CommandReplies _replies;
    private readonly ILogger<CommandProcessor> _logger;

    public CommandProcessor(MqttConnection connection, CommandRouter router, CommandReplies replies, ILogger<CommandProcessor> logger)
    {
        _connection = connection;
        _router = router;
        _replies = replies;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var message in _connection.Incoming.ReadAllAsync(stoppingToken))
            {
                var verb = CommandReplies.VerbOf(message.Topic);
                var reply = _replies.Refusal(verb, message.Retain, message.ResponseTopic);
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
                    // A long command (a dry run) answers when it completes; the queue moves on meanwhile.
                    _ = AnswerWhenDoneAsync(verb, later, message, stoppingToken);
                    continue;
                }
                await AnswerAsync(verb, reply, message, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
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
        LogCommand(verb, reply.Ok, reply.Message);
        await _replies.SendAsync(message.ResponseTopic, message.CorrelationData, reply, stoppingToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Command {Verb}: ok={Ok} {Message}")]
    private partial void LogCommand(string verb, bool ok, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Command {Verb} failed")]
    private partial void LogCommandFailed(Exception ex, string verb);
}
