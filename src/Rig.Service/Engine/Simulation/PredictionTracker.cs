using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using Rig.Service.Channels;
using Rig.Service.Configuration;
using Rig.Service.Telemetry;

namespace Rig.Service.Engine.Simulation;

/// <summary>
/// Predicted vs actual: when a channel's test ends and the channel's last dry run was of the same protocol, the
/// prediction is stored beside the result (&lt;state&gt;/predictions/&lt;test_id&gt;.json: prediction and errors) and the
/// errors are published retained on "&lt;rig&gt;/&lt;channel&gt;/prediction_error": duration, last discharge capacity,
/// cycles to 80 %. Runs off the event's thread; a failure is logged, never thrown.
/// </summary>
public sealed partial class PredictionTracker
{
    private readonly DryRunVerbs _dryRuns;
    private readonly IServiceProvider _services;
    private readonly string _directory;
    private readonly ILogger<PredictionTracker> _logger;

    public PredictionTracker(RigEvents events, DryRunVerbs dryRuns, IOptions<RigOptions> rig, IServiceProvider services, ILogger<PredictionTracker> logger)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(rig);
        _dryRuns = dryRuns;
        _services = services;
        _logger = logger;
        _directory = Path.Combine(rig.Value.ResolveStateDirectory(), "predictions");
        events.Raised += e =>
        {
            if (e.Code == "engine.test_ended")
            {
                Completion = Task.Run(() => CompareAsync(e.Source));
            }
        };
    }

    /// <summary>The last comparison started (tests wait on it).</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>Where a test's prediction and errors are stored.</summary>
    public string PathFor(string testId) => Path.Combine(_directory, testId + ".json");

    private async Task CompareAsync(string channelId)
    {
        try
        {
            if (_dryRuns.Latest(channelId) is not { } prediction || _services.GetService<Store.RigStore>() is not { } store)
            {
                return;
            }
            var test = store.ListTests().LastOrDefault(t => t.ChannelId == channelId && t.End is not null);
            if (test is null || test.Start.ProtocolName != prediction.ProtocolName)
            {
                return;
            }
            var cycles = store.ReadCycles(test.TestId);
            var actualSeconds = (test.End!.EndedAt - test.Start.StartedAt).TotalSeconds;
            var actualCapacity = cycles.Count > 0 ? cycles[^1].DischargeArealCapacityMilliampHoursPerSquareCentimetre : (double?)null;
            var predictedCapacity = prediction.DischargeArealCapacities.Count > 0 ? prediction.DischargeArealCapacities[^1] : (double?)null;
            var payload = Write(w =>
            {
                w.WriteString("test_id", test.TestId);
                w.WriteString("protocol", prediction.ProtocolName);
                w.WriteNumber("duration_predicted_s", Math.Round(prediction.DurationSeconds));
                w.WriteNumber("duration_actual_s", Math.Round(actualSeconds));
                w.WriteNumber("duration_error_relative", actualSeconds > 0 ? Math.Round((prediction.DurationSeconds - actualSeconds) / actualSeconds, 5) : 0);
                w.WriteNumber("cycles_predicted", prediction.Cycles);
                w.WriteNumber("cycles_actual", cycles.Count);
                if (predictedCapacity is { } p && actualCapacity is { } a && a > 0)
                {
                    w.WriteNumber("last_capacity_error_relative", Math.Round((p - a) / a, 5));
                }
                if (prediction.CyclesTo80PercentRetention is { } p80)
                {
                    w.WriteNumber("cycles_to_80_predicted", p80);
                }
                if (test.End.CyclesTo80PercentRetention is { } a80)
                {
                    w.WriteNumber("cycles_to_80_actual", a80);
                }
                w.WritePropertyName("prediction");
                prediction.Write(w);
            });
            Directory.CreateDirectory(_directory);
            var path = PathFor(test.TestId);
            var temporary = path + ".tmp";
            await File.WriteAllBytesAsync(temporary, payload);
            File.Move(temporary, path, overwrite: true); // atomic: a reader sees the old file or the new one
            if (_services.GetService<MqttConnection>() is { } connection)
            {
                await connection.PublishAsync(new MqttApplicationMessageBuilder()
                    .WithTopic(connection.Topics.Absolute($"{channelId}/prediction_error"))
                    .WithPayload(payload)
                    .WithContentType("application/json")
                    .WithRetainFlag()
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                    .Build(), CancellationToken.None);
            }
        }
        catch (Exception ex)
        {
            LogFailed(ex, channelId);
        }
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Comparing channel {Channel}'s test with its dry run failed")]
    private partial void LogFailed(Exception ex, string channel);
}
