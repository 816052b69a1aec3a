using Microsoft.Extensions.Options;
using Rig.Service.Configuration;

namespace Rig.Service.Telemetry;

/// <summary>
/// Home Assistant MQTT discovery: after every connect, one retained config per sensor at
/// "&lt;discovery prefix&gt;/sensor/&lt;rig&gt;_&lt;channel&gt;/&lt;sensor&gt;/config", reading the channel's retained state
/// topic with a value template, available while "&lt;prefix&gt;/&lt;rig&gt;/status" says "online". Configuration,
/// not data, so it is published directly rather than through the outbox.
/// </summary>
public sealed class HomeAssistantDiscovery
{
    /// <summary>(object id, name, JSON field in the state document, unit, HA device class).</summary>
    private static readonly (string Id, string Name, string Field, string? Unit, string? DeviceClass)[] Sensors =
    [
        ("voltage", "Voltage", "voltage_V", "V", "voltage"),
        ("current", "Current", "current_A", "A", "current"),
        ("stack_pressure", "Stack pressure", "stack_pressure_MPa", "MPa", "pressure"),
        ("force", "Clamp force", "force_N", "N", null),
        ("temperature", "Temperature", "temperature_degC", "°C", "temperature"),
        ("cycle", "Cycle", "cycle", null, null),
        ("step", "Step", "step", null, null),
        ("run_state", "Run state", "run_state", null, null),
    ];

    private readonly MqttConnection _connection;
    private readonly RigOptions _rig;
    private readonly MqttOptions _mqtt;

    public HomeAssistantDiscovery(MqttConnection connection, IOptions<RigOptions> rig, IOptions<MqttOptions> mqtt)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(rig);
        ArgumentNullException.ThrowIfNull(mqtt);
        _connection = connection;
        _rig = rig.Value;
        _mqtt = mqtt.Value;
        if (_mqtt.HomeAssistantDiscovery)
        {
            _connection.Connected += PublishAsync;
        }
    }

    public IEnumerable<(string Topic, byte[] Payload)> Configs()
    {
        var topics = _connection.Topics;
        foreach (var channelId in _rig.Channels.Keys)
        {
            var node = $"{_rig.Id}_{channelId}";
            foreach (var sensor in Sensors)
            {
                var payload = TelemetryPayloads.Write(w =>
                {
                    w.WriteString("name", $"{channelId} {sensor.Name}");
                    w.WriteString("unique_id", $"{node}_{sensor.Id}");
                    w.WriteString("state_topic", topics.State(channelId));
                    w.WriteString("value_template", $"{{{{ value_json.{sensor.Field} }}}}");
                    if (sensor.Unit is not null)
                    {
                        w.WriteString("unit_of_measurement", sensor.Unit);
                        w.WriteString("state_class", "measurement");
                    }
                    if (sensor.DeviceClass is not null)
                    {
                        w.WriteString("device_class", sensor.DeviceClass);
                    }
                    w.WriteString("availability_topic", topics.Status);
                    w.WriteString("payload_available", "online");
                    w.WriteString("payload_not_available", "offline");
                    w.WriteStartObject("device");
                    w.WriteStartArray("identifiers");
                    w.WriteStringValue(node);
                    w.WriteEndArray();
                    w.WriteString("name", $"{_rig.Id} {channelId}");
                    w.WriteString("manufacturer", "AnodeFreeRig");
                    w.WriteEndObject();
                });
                yield return ($"{_mqtt.DiscoveryPrefix}/sensor/{node}/{sensor.Id}/config", payload);
            }
        }
    }

    private async Task PublishAsync(CancellationToken cancellationToken)
    {
        foreach (var (topic, payload) in Configs())
        {
            if (!await _connection.PublishAsync(_connection.Message(topic, payload, true), cancellationToken))
            {
                return;
            }
        }
    }
}
