using System.Diagnostics.CodeAnalysis;
using Rig.Service.Engine;
using Rig.Service.Store;
using Rig.Service.Telemetry;

namespace Rig.Service.Configuration;

/// <summary>
/// The top-level sections the program reads and the options class each binds to. A section missing here is refused
/// on the command line and reported as misspelt in a settings file: add a new options section to this list.
/// A null type is a free-form section (Logging) whose keys are not checked.
/// </summary>
public static class ConfigurationSections
{
    public static IReadOnlyList<(string Name, Type? Options)> All { get; } =
    [
        (RigOptions.SectionName, Options<RigOptions>()),
        (MqttOptions.SectionName, Options<MqttOptions>()),
        (StoreOptions.SectionName, Options<StoreOptions>()),
        (EngineOptions.SectionName, Options<EngineOptions>()),
        ("Logging", null),
    ];

    public static IReadOnlyList<string> Known { get; } = [.. All.Select(s => s.Name)];

    public static string? Find(string name) =>
        Known.FirstOrDefault(s => string.Equals(s, name, StringComparison.OrdinalIgnoreCase));

    // The annotation keeps every public property for the checker (SettingsCheck), which reflects over them.
    private static Type Options<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>() => typeof(T);
}
