using Microsoft.Extensions.Hosting;

namespace Rig.Service.Telemetry.Commands;

/// <summary>
/// Answers "busy, retry" to every command that did not fit in the command queue (<see cref="MqttConnection.Busy"/>),
/// and "rate limited, retry in N s" to those its client sent too fast (<see cref="CommandRateLimiter"/>),
/// on its own loop so the answer does not wait behind the command being run. Commands are never dropped silently:
/// those beyond even this queue are counted and logged (<see cref="MqttConnection.CommandsUnanswered"/>).
/// </summary>
public sealed class CommandBusyResponder : BackgroundService
{
    private readonly MqttConnection _connection;
    private readonly CommandReplies _replies;

    public CommandBusyResponder(MqttConnection connection, CommandReplies replies)
    {
        _connection = connection;
        _replies = replies;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var refused in _connection.Busy.ReadAllAsync(stoppingToken))
            {
                var reply = CommandReply.Error(refused.Verb, refused.Refusal
                    ?? $"busy: {MqttConnection.CommandQueueCapacity} commands are waiting; this one was not run, retry later");
                await _replies.SendAsync(refused.ResponseTopic, refused.CorrelationData, reply, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}

/// <summary>
/// What is kept of a command that did not fit in the queue, or was refused on arrival (<paramref name="Refusal"/>: a
/// rate limit): enough to answer it, not its payload.
/// </summary>
public sealed record BusyCommand(string Verb, string? ResponseTopic, byte[]? CorrelationData, string? Refusal = null);
