using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Options;
using Rig.Service.Configuration;

namespace Rig.Service.Telemetry;

/// <summary>
/// Home Assistant MQTT discovery: after every connect, one retained config per sensor at
/// "&lt;discovery prefix&gt;/sensor/&lt;rig&gt;/&lt;channel&gt;_&lt;sensor&gt;/config" (node id = the rig, so the rig's bridge and
/// the lab ACL can allow "homeassistant/+/&lt;rig&gt;/#" and nothing of another rig's), reading the channel's retained
/// state topic with a value template, available while "&lt;prefix&gt;/&lt;rig&gt;/status" says "online". Units are ones
/// Home Assistant accepts for the device class (pressure in kPa: MPa is not among them); entity names do not
/// repeat the device's name ("rig-01 ch1" + "Voltage"). Configuration, not data: published directly, not through
/// the outbox.
/// </summary>
public sealed class HomeAssistantDiscovery
{
    /// <summary>(object id, name, JSON field in the state document, factor to the unit, unit, HA device class).</summary>
    private static readonly (string Id, string Name, string Field, double Factor, string? Unit, string? DeviceClass)[] Sensors =
    [
        ("voltage", "Voltage", "voltage_V", 1, "V", "voltage"),
        ("current", "Current", "current_A", 1, "A", "current"),
        // The state carries MPa; Home Assistant's pressure class takes Pa, kPa, hPa, bar, cbar, mbar, mmHg, inHg, psi.
        ("stack_pressure", "Stack pressure", "stack_pressure_MPa", 1000, "kPa", "pressure"),
        ("force", "Clamp force", "force_N", 1, "N", null),
        ("temperature", "Temperature", "temperature_degC", 1, "°C", "temperature"),
        ("cycle", "Cycle", "cycle", 1, null, null),
        ("step", "Step", "step", 1, null, null),
        ("run_state", "Run state", "run_state", 1, null, null),
    ];

    private static string Version =>
        typeof(HomeAssistantDiscovery).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

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
        foreach (var (channelId, channel) in _rig.Channels)
        {
            var node = $"{_rig.Id}_{channelId}";
            foreach (var sensor in Sensors)
            {
                var payload = TelemetryPayloads.Write(w =>
                {
                    w.WriteString("name", sensor.Name);
                    w.WriteString("unique_id", $"{node}_{sensor.Id}");
                    w.WriteString("state_topic", topics.State(channelId));
                    // "None" is Home Assistant's MQTT payload for "unknown": a sensor that is not read has no value.
                    w.WriteString("value_template", sensor.Factor == 1
                        ? $"{{{{ value_json.{sensor.Field} if value_json.{sensor.Field} is not none else 'None' }}}}"
                        : $"{{{{ (value_json.{sensor.Field} * {sensor.Factor.ToString(CultureInfo.InvariantCulture)}) | round(1) if value_json.{sensor.Field} is number else 'None' }}}}");
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
                    w.WriteString("model", $"Test channel, {channel.Cell.Chemistry}");
                    w.WriteString("sw_version", Version);
                    w.WriteEndObject();
                    w.WriteStartObject("origin");
                    w.WriteString("name", "AnodeFreeRig");
                    w.WriteString("sw_version", Version);
                    w.WriteEndObject();
                });
                yield return ($"{_mqtt.DiscoveryPrefix}/sensor/{_rig.Id}/{channelId}_{sensor.Id}/config", payload);
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
