using Rig.Service.Engine;
using Rig.Service.Store;
using Rig.Service.Telemetry;

namespace Rig.Service.Configuration;

/// <summary>
/// The top-level sections the program reads. A section missing here is refused on the command line and reported
/// as misspelt in a settings file: add a new options section to this list.
/// </summary>
public static class ConfigurationSections
{
    public static IReadOnlyList<string> Known { get; } =
    [
        RigOptions.SectionName,
        MqttOptions.SectionName,
        StoreOptions.SectionName,
        EngineOptions.SectionName,
        "Logging",
    ];

    public static string? Find(string name) =>
        Known.FirstOrDefault(s => string.Equals(s, name, StringComparison.OrdinalIgnoreCase));
}
