using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Rig.Service.Configuration;
using Rig.Service.Recording;
using Rig.Service.Store;

namespace Rig.Service.Telemetry;

/// <summary>
/// Every Mqtt:RecentPeriod, each channel whose recent trace changed is published retained on "&lt;channel&gt;/recent":
/// the last Mqtt:RecentWindow of its test at a coarse spacing, as columns. A view derived from the store, not a record:
/// published directly (not through the outbox), skipped while disconnected and sent again on the next period.
/// </summary>
public sealed class RecentTracePublisher : BackgroundService
{
    private readonly MqttConnection _connection;
    private readonly StoreTestRecorder _recorder;
    private readonly RigOptions _rig;
    private readonly MqttOptions _mqtt;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, long> _published = new(StringComparer.Ordinal);

    public RecentTracePublisher(MqttConnection connection, StoreTestRecorder recorder, IOptions<RigOptions> rig, IOptions<MqttOptions> mqtt, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(rig);
        ArgumentNullException.ThrowIfNull(mqtt);
        _connection = connection;
        _recorder = recorder;
        _rig = rig.Value;
        _mqtt = mqtt.Value;
        _time = time;
        // A new connection (or broker) may have lost the retained copies: publish them all again.
        _connection.Connected += _ =>
        {
            lock (_published)
            {
                _published.Clear();
            }
            return Task.CompletedTask;
        };
    }

    /// <summary>Publishes every channel's trace that changed since it was last published; false when a publish failed.</summary>
    public async Task<bool> PublishChangedAsync(CancellationToken cancellationToken)
    {
        foreach (var channelId in _rig.Channels.Keys)
        {
            if (_recorder.Recent.Snapshot(channelId) is not { } trace)
            {
                continue;
            }
            lock (_published)
            {
                if (_published.TryGetValue(channelId, out var version) && version == trace.Version)
                {
                    continue;
                }
            }
            var payload = Payload(trace.TestId, trace.Points, _time.GetUtcNow());
            if (!await _connection.PublishAsync(_connection.Message($"{_connection.Topics.Root}/{channelId}/recent", payload, true), cancellationToken))
            {
                return false;
            }
            lock (_published)
            {
                _published[channelId] = trace.Version;
            }
        }
        return true;
    }

    /// <summary>The "&lt;channel&gt;/recent" document (schema in docs/telemetry.md), rounded to what the instruments resolve (1 µV, 1 nA, 0.1 kPa, 1 mK).</summary>
    public static byte[] Payload(string testId, IReadOnlyList<TestSampleRecord> points, DateTimeOffset at) => TelemetryPayloads.Write(w =>
    {
        TelemetryPayloads.Time(w, at);
        w.WriteString("test_id", testId);
        TelemetryPayloads.Column(w, "unix_time_s", points, p => p.Timestamp.ToUnixTimeMilliseconds() / 1000.0, 3);
        TelemetryPayloads.Column(w, "voltage_V", points, p => p.VoltageVolts, 6);
        TelemetryPayloads.Column(w, "current_A", points, p => p.CurrentAmperes, 9);
        TelemetryPayloads.Column(w, "stack_pressure_MPa", points, p => p.StackPressurePascals / 1e6, 4);
        TelemetryPayloads.Column(w, "temperature_degC", points, p => p.TemperatureCelsius, 3);
    });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_mqtt.RecentPeriod, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (_connection.IsConnected)
                {
                    await PublishChangedAsync(stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
