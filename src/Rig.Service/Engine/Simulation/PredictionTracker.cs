using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;
using Rig.Service.Channels;
using Rig.Service.Recording;
using Rig.Service.Store;
using Rig.Service.Telemetry;

namespace Rig.Service.Engine.Simulation;

/// <summary>
/// Predicted vs actual, through the store's predictions table (<see cref="RigStore.SavePrediction"/>): when a test
/// starts, the channel's waiting dry-run prediction of the same protocol becomes that test's (keyed by its id); when
/// the test ends, even after any number of restarts, the prediction is read back by the test id, the actual figures
/// are written beside it and the errors are published retained on "&lt;rig&gt;/&lt;channel&gt;/prediction_error":
/// duration, last discharge capacity, cycles to 80 %. A hosted service so it listens from the start, not only once a
/// dry run has been asked for. Runs off the event's thread, one event at a time in order; a failure is logged, never thrown.
/// </summary>
public sealed partial class PredictionTracker : IHostedService
{
    private readonly IServiceProvider _services;
    private readonly TimeProvider _time;
    private readonly ILogger<PredictionTracker> _logger;
    private readonly Lock _lock = new();

    public PredictionTracker(RigEvents events, IServiceProvider services, ILogger<PredictionTracker> logger)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(services);
        _services = services;
        _time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        _logger = logger;
        events.Raised += e =>
        {
            Func<Task>? work = e.Code switch
            {
                "engine.test_started" => () => BindAsync(e.Source),
                "engine.test_ended" => () => CompareAsync(e.Source),
                _ => null,
            };
            if (work is not null)
            {
                lock (_lock)
                {
                    Completion = Completion.ContinueWith(_ => work(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
                }
            }
        };
    }

    /// <summary>The last binding or comparison queued (tests wait on it).</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task<RigStore?> FlushedStoreAsync()
    {
        // The event follows the records it announces, but a store writer may still hold them: let it commit first.
        if (_services.GetService<ITestRecorder>() is StoreTestRecorder recorder)
        {
            await recorder.FlushAsync();
        }
        return _services.GetService<RigStore>();
    }

    private async Task BindAsync(string channelId)
    {
        try
        {
            if (await FlushedStoreAsync() is not { } store
                || store.ListTests().LastOrDefault(t => t.ChannelId == channelId && t.End is null) is not { } test)
            {
                return;
            }
            store.BindPrediction(channelId, test.TestId, test.Start.ProtocolName, test.Start.StartedAt);
        }
        catch (Exception ex)
        {
            LogFailed(ex, channelId);
        }
    }

    private async Task CompareAsync(string channelId)
    {
        try
        {
            if (await FlushedStoreAsync() is not { } store
                || store.ListTests().LastOrDefault(t => t.ChannelId == channelId && t.End is not null) is not { } test)
            {
                return;
            }
            // A test that started before this tracker listened (or whose start event was lost) takes its prediction now.
            if (!store.BindPrediction(channelId, test.TestId, test.Start.ProtocolName, test.Start.StartedAt)
                || store.FindPrediction(test.TestId) is not { } prediction)
            {
                return;
            }
            var cycles = store.ReadCycles(test.TestId);
            var actual = new PredictionActual(
                _time.GetUtcNow(),
                (test.End!.EndedAt - test.Start.StartedAt).TotalSeconds,
                cycles.Count,
                test.End.CyclesTo80PercentRetention,
                cycles.Count > 0 ? cycles[^1].DischargeArealCapacityMilliampHoursPerSquareCentimetre : null);
            store.SavePredictionActual(test.TestId, actual);
            var payload = Payload(test.TestId, prediction, actual);
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

    /// <summary>The published comparison: predicted and actual figures, relative errors, and the prediction itself.</summary>
    public static byte[] Payload(string testId, PredictionRecord prediction, PredictionActual actual)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(actual);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("test_id", testId);
            w.WriteString("protocol", prediction.ProtocolName);
            w.WriteString("predicted_at", prediction.PredictedAt);
            w.WriteNumber("duration_predicted_s", Math.Round(prediction.DurationSeconds));
            w.WriteNumber("duration_actual_s", Math.Round(actual.DurationSeconds));
            w.WriteNumber("duration_error_relative",
                actual.DurationSeconds > 0 ? Math.Round((prediction.DurationSeconds - actual.DurationSeconds) / actual.DurationSeconds, 5) : 0);
            w.WriteNumber("cycles_predicted", prediction.Cycles);
            w.WriteNumber("cycles_actual", actual.Cycles);
            if (prediction.LastDischargeArealCapacity is { } p && actual.LastDischargeArealCapacity is { } a && a > 0)
            {
                w.WriteNumber("last_capacity_error_relative", Math.Round((p - a) / a, 5));
            }
            if (prediction.CyclesTo80Percent is { } p80)
            {
                w.WriteNumber("cycles_to_80_predicted", p80);
            }
            if (actual.CyclesTo80Percent is { } a80)
            {
                w.WriteNumber("cycles_to_80_actual", a80);
            }
            w.WritePropertyName("prediction");
            w.WriteRawValue(prediction.PredictionJson, skipInputValidation: false);
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Comparing channel {Channel}'s test with its dry run failed")]
    private partial void LogFailed(Exception ex, string channel);
}
