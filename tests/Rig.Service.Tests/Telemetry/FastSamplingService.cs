using System.Globalization;

namespace Rig.Service.Tests.Telemetry;

/// <summary>
/// The real service's environment for the kill tests: ch1 samples every 5 ms and every sample is stored, so a test's
/// first minutes fill the store and the outbox faster than the publisher drains them; reconnects come quickly.
/// </summary>
internal static class FastSamplingService
{
    public static Dictionary<string, string> Environment(string state, int brokerPort, int outboxPageSize) => new()
    {
        ["Rig__StateDirectory"] = state,
        ["Rig__SamplePeriod"] = "00:00:00.005",
        ["Rig__ReadoutPeriod"] = "00:00:00",
        ["Mqtt__Broker"] = "127.0.0.1",
        ["Mqtt__Port"] = brokerPort.ToString(CultureInfo.InvariantCulture),
        ["Mqtt__OutboxPageSize"] = outboxPageSize.ToString(CultureInfo.InvariantCulture),
        ["Mqtt__ReconnectMinDelay"] = "00:00:00.200",
        ["Mqtt__ReconnectMaxDelay"] = "00:00:01",
        ["Mqtt__HomeAssistantDiscovery"] = "false",
        // Keep every sample: the period is shorter than the sample period.
        ["Store__RecordPeriod"] = "00:00:00.001",
    };
}
