using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Rig.Service.Configuration;
using Rig.Service.Telemetry.Commands;

namespace Rig.Service.Telemetry;

/// <summary>
/// The retained "&lt;prefix&gt;/&lt;rig&gt;/health": what the command intake refused since the service started, so a
/// lab sees a flooding or mis-clocked client from the broker, not only from the rig's journal: commands answered
/// "busy", left unanswered, refused "rate limited" and "stale", the last two per client
/// (<see cref="CommandRefusalCounts"/>, bounded). Published after every connect and, when a count changed, every
/// Mqtt:StatePeriod (a flood makes one message per period, not one per command). Live state: published directly.
/// </summary>
public sealed class RigHealthPublisher : BackgroundService
{
    private readonly MqttConnection _connection;
    private readonly MqttOptions _mqtt;
    private readonly string _rigId;
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _since;
    private (long, long, long, long)? _published;

    public RigHealthPublisher(MqttConnection connection, IOptions<MqttOptions> mqtt, IOptions<RigOptions> rig, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(mqtt);
        ArgumentNullException.ThrowIfNull(rig);
        _connection = connection;
        _mqtt = mqtt.Value;
        _rigId = rig.Value.Id;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _since = time.GetUtcNow();
        _connection.Connected += PublishAsync;
    }

    public string Topic => _connection.Topics.Health;

    /// <summary>Publishes the counts now (retained).</summary>
    public async Task PublishAsync(CancellationToken cancellationToken)
    {
        var counts = Counts();
        if (await _connection.PublishAsync(_connection.Message(Topic, Payload(), true), cancellationToken))
        {
            _published = counts;
        }
    }

    public byte[] Payload() => TelemetryPayloads.Write(w =>
    {
        w.WriteString("rig", _rigId);
        w.WriteString("time", _time.GetUtcNow().UtcDateTime);
        w.WriteString("counted_since", _since.UtcDateTime);
        w.WriteStartObject("commands");
        w.WriteNumber("busy", _connection.CommandsBusy);
        w.WriteNumber("unanswered", _connection.CommandsUnanswered);
        Write(w, "rate_limited", _connection.RateLimitedByClient);
        Write(w, "stale", _connection.StaleByClient);
        w.WriteEndObject();
    });

    private static void Write(System.Text.Json.Utf8JsonWriter w, string name, CommandRefusalCounts counts)
    {
        w.WriteStartObject(name);
        w.WriteNumber("total", counts.Total);
        w.WriteStartObject("by_client");
        foreach (var (client, count) in counts.ByClient())
        {
            w.WriteNumber(client, count);
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private (long, long, long, long) Counts() =>
        (_connection.CommandsBusy, _connection.CommandsUnanswered, _connection.CommandsRateLimited, _connection.CommandsStale);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_mqtt.StatePeriod, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (_published != Counts())
                {
                    await PublishAsync(stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
