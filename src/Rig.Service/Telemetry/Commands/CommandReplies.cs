using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;

namespace Rig.Service.Telemetry.Commands;

/// <summary>
/// Answers commands: checks what may not run at all (a retained command, a response topic outside the rig's reply
/// subtrees, <see cref="ReplyTopicPolicy"/>) and publishes replies with their correlation data. Publishing never
/// throws to the caller: a reply that cannot be published is logged, and the command loop goes on.
/// </summary>
public sealed partial class CommandReplies
{
    private readonly MqttConnection _connection;
    private readonly ReplyTopicPolicy _policy;
    private readonly ILogger<CommandReplies> _logger;

    public CommandReplies(MqttConnection connection, ILogger<CommandReplies> logger)
    {
        _connection = connection;
        _policy = new ReplyTopicPolicy(connection.Topics);
        _logger = logger;
    }

    /// <summary>The verb of a command topic ("…/cmd/&lt;verb&gt;"), bounded for logs and replies.</summary>
    public static string VerbOf(string topic)
    {
        var verb = topic[(topic.LastIndexOf('/') + 1)..];
        return verb.Length <= 64 ? verb : verb[..64];
    }

    /// <summary>
    /// The refusal of <paramref name="message"/> when it must not run whatever it says (retained, a response topic
    /// outside the rig's reply subtrees, stale: <see cref="CommandAge"/>), or null when it may be routed.
    /// </summary>
    public CommandReply? RefusalOf(string verb, MqttApplicationMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Refusal(verb, message.Retain, message.ResponseTopic)
               ?? (_connection.AgeProblem(verb, message) is { } stale ? CommandReply.Error(verb, stale) : null);
    }

    /// <summary>The refusal of a command that must not run whatever it says, or null when it may be routed.</summary>
    public CommandReply? Refusal(string verb, bool retained, string? responseTopic)
    {
        if (retained)
        {
            // A retained command would run again at every reconnect of the service (and of every new subscriber).
            return CommandReply.Error(verb, "a retained command is never executed; publish commands without the retain flag");
        }
        return _policy.Problem(responseTopic) is { } why ? CommandReply.Error(verb, why) : null;
    }

    /// <summary>
    /// Publishes <paramref name="reply"/> to the response topic (or the default reply topic when there is none or
    /// it is refused) with <paramref name="correlation"/>. True when the broker acknowledged it; never throws
    /// except on cancellation.
    /// </summary>
    public async Task<bool> SendAsync(string? responseTopic, byte[]? correlation, CommandReply reply, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var topic = string.IsNullOrEmpty(responseTopic) || _policy.Problem(responseTopic) is not null ? _connection.Topics.DefaultReplies : responseTopic;
        try
        {
            var answer = new MqttApplicationMessageBuilder()
                .WithTopic(topic)
                .WithPayload(reply.ToJson())
                .WithContentType("application/json")
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
            if (correlation is { Length: > 0 })
            {
                answer.WithCorrelationData(correlation);
            }
            var sent = await _connection.PublishAsync(answer.Build(), cancellationToken);
            if (!sent)
            {
                LogNotSent(reply.Verb, topic);
            }
            return sent;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogFailed(ex, reply.Verb, topic);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reply to {Verb} on {Topic} was not published (broker unreachable or refused); the command's effect stands")]
    private partial void LogNotSent(string verb, string topic);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reply to {Verb} on {Topic} could not be published")]
    private partial void LogFailed(Exception ex, string verb, string topic);
}
