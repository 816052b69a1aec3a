using System.Text.Json;
using System.Text.RegularExpressions;

namespace Rig.Service.Tests.Telemetry;

/// <summary>
/// The parts of Home Assistant's MQTT discovery schema our configs touch, as HA checks them: the discovery topic
/// format (node and object ids of [a-zA-Z0-9_-]), required keys, the units each sensor device class accepts
/// (homeassistant/components/sensor/const.py, DEVICE_CLASS_UNITS), state_class only with a numeric value, and the
/// entity-naming rule (an entity name that starts with its device's name is repeated in the UI and logged as a
/// naming issue since 2023.8).
/// </summary>
internal static partial class HomeAssistantRules
{
    private static readonly Dictionary<string, string[]> UnitsByDeviceClass = new(StringComparer.Ordinal)
    {
        ["voltage"] = ["V", "mV", "µV", "kV", "MV"],
        ["current"] = ["A", "mA"],
        ["pressure"] = ["Pa", "kPa", "hPa", "bar", "cbar", "mbar", "mmHg", "inHg", "psi", "inH₂O", "mPa"],
        ["temperature"] = ["°C", "°F", "K"],
        ["power"] = ["W", "kW", "MW", "GW", "TW", "mW"],
        ["energy"] = ["Wh", "kWh", "MWh", "GWh", "TWh", "mWh", "MJ", "GJ", "cal", "kcal", "Mcal", "Gcal"],
    };

    [GeneratedRegex("^(?<prefix>[^/]+)/(?<component>sensor|binary_sensor)/((?<node>[a-zA-Z0-9_-]+)/)?(?<object>[a-zA-Z0-9_-]+)/config$")]
    private static partial Regex DiscoveryTopic();

    /// <summary>Every rule the config breaks (empty = Home Assistant accepts it).</summary>
    public static List<string> Problems(string topic, JsonElement config)
    {
        var problems = new List<string>();
        if (!DiscoveryTopic().IsMatch(topic))
        {
            problems.Add($"topic '{topic}' is not <prefix>/<component>/[<node_id>/]<object_id>/config with ids of [a-zA-Z0-9_-]");
        }
        foreach (var key in new[] { "state_topic", "unique_id", "name", "device", "origin" })
        {
            if (!config.TryGetProperty(key, out _))
            {
                problems.Add($"missing '{key}'");
            }
        }
        if (config.TryGetProperty("origin", out var origin) && !origin.TryGetProperty("name", out _))
        {
            problems.Add("origin without 'name'");
        }
        var unit = config.TryGetProperty("unit_of_measurement", out var u) ? u.GetString() : null;
        if (config.TryGetProperty("device_class", out var dc))
        {
            var deviceClass = dc.GetString()!;
            if (!UnitsByDeviceClass.TryGetValue(deviceClass, out var units))
            {
                problems.Add($"device_class '{deviceClass}' is not checked by this table");
            }
            else if (unit is null || !units.Contains(unit))
            {
                problems.Add($"unit '{unit}' is not valid for device_class '{deviceClass}' (valid: {string.Join(", ", units)})");
            }
        }
        if (config.TryGetProperty("state_class", out _) && unit is null)
        {
            problems.Add("state_class without a unit: Home Assistant expects a numeric value");
        }
        if (config.TryGetProperty("device", out var device))
        {
            if (!device.TryGetProperty("identifiers", out var ids) || ids.GetArrayLength() == 0)
            {
                problems.Add("device without identifiers");
            }
            var deviceName = device.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
            var name = config.TryGetProperty("name", out var en) ? en.GetString() ?? "" : "";
            if (deviceName.Length > 0 && (name.StartsWith(deviceName, StringComparison.OrdinalIgnoreCase)
                || deviceName.Split(' ').Any(word => name.Split(' ').Contains(word, StringComparer.OrdinalIgnoreCase))))
            {
                problems.Add($"entity name '{name}' repeats its device's name '{deviceName}'");
            }
            foreach (var key in new[] { "sw_version", "model", "manufacturer" })
            {
                if (!device.TryGetProperty(key, out _))
                {
                    problems.Add($"device without '{key}'");
                }
            }
        }
        return problems;
    }
}
