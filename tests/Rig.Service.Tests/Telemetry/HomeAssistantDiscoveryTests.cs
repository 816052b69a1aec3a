using System.Text.Json;

namespace Rig.Service.Tests.Telemetry;

public sealed class HomeAssistantDiscoveryTests
{
    [Fact]
    public async Task Every_discovery_config_follows_home_assistants_rules_under_the_rigs_own_node()
    {
        var directory = Directory.CreateTempSubdirectory("rig-ha-").FullName;
        await using (var rig = new TelemetryHarness(1, Path.Combine(directory, "rig.db"), discovery: true))
        {
            var configs = rig.Get<Rig.Service.Telemetry.HomeAssistantDiscovery>().Configs().ToList();
            Assert.Equal(16, configs.Count);
            foreach (var (topic, payload) in configs)
            {
                var json = JsonDocument.Parse(payload).RootElement;
                Assert.Empty(HomeAssistantRules.Problems(topic, json));
                // The bridge and the lab ACL allow homeassistant/+/<rig>/#: nothing may fall outside it.
                Assert.StartsWith("homeassistant/sensor/rig-t/", topic, StringComparison.Ordinal);
            }
            Assert.Equal(configs.Count, configs.Select(c => JsonDocument.Parse(c.Payload).RootElement.GetProperty("unique_id").GetString()).Distinct().Count());
            var pressure = JsonDocument.Parse(configs.Single(c => c.Topic.EndsWith("/ch1_stack_pressure/config", StringComparison.Ordinal)).Payload).RootElement;
            Assert.Equal("kPa", pressure.GetProperty("unit_of_measurement").GetString());
            Assert.Equal("Stack pressure", pressure.GetProperty("name").GetString());
            Assert.Equal("rig-t ch1", pressure.GetProperty("device").GetProperty("name").GetString());
            Assert.Contains("* 1000", pressure.GetProperty("value_template").GetString(), StringComparison.Ordinal);
        }
        Directory.Delete(directory, true);
    }

    [Fact]
    public void The_rules_reject_what_the_old_configs_did()
    {
        var old = JsonDocument.Parse("""
            {"name":"ch1 Stack pressure","unique_id":"rig-01_ch1_stack_pressure","state_topic":"x","unit_of_measurement":"MPa",
             "device_class":"pressure","state_class":"measurement","device":{"identifiers":["rig-01_ch1"],"name":"rig-01 ch1","manufacturer":"AnodeFreeRig"}}
            """).RootElement;
        var problems = HomeAssistantRules.Problems("homeassistant/sensor/rig-01_ch1/stack_pressure/config", old);
        Assert.Contains(problems, p => p.Contains("unit 'MPa'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("repeats its device's name", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'origin'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'sw_version'", StringComparison.Ordinal));
    }
}
