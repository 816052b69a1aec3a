using System.Diagnostics.CodeAnalysis;
using Rig.Drivers.Cells;
using Rig.Drivers.Heaters.Simulated;
using Rig.Drivers.LoadCells.Simulated;
using Rig.Service.Engine;
using Rig.Service.Engine.Simulation;
using Rig.Service.Impedance;
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

    /// <summary>
    /// Every options class below the sections (a section's property types, theirs, and so on): SettingsCheck reflects
    /// over their properties too, reaching them through a property's type at run time, which neither the trimmer nor
    /// Native AOT can follow. Listed here, each keeps its public properties in a trimmed or AOT build (without this an
    /// AOT build refused every nested key as "not a setting"). A test walks the sections and fails on one missing here.
    /// </summary>
    public static IReadOnlyList<Type> Nested { get; } =
    [
        Options<ChannelOptions>(), Options<CellOptions>(), Options<CellBuildRecord>(), Options<ClampOptions>(),
        Options<Nau7802ClampOptions>(), Options<Hx711ClampOptions>(), Options<Ads1115ClampOptions>(),
        Options<InstrumentOptions>(), Options<ChannelLimitsOptions>(), Options<ChannelSimulationOptions>(),
        Options<PressureWindowOptions>(), Options<HeaterZoneOptions>(), Options<HeaterOutputOptions>(),
        Options<TemperatureSensorOptions>(), Options<ThermalCutOutOptions>(), Options<ThermalSafetyOptions>(),
        Options<PidGainsOptions>(), Options<RelayAutotuneOptions>(), Options<EmergencyStopOptions>(),
        Options<ImpedanceAnalyzerOptions>(), Options<DryRunOptions>(), Options<HalfCellParameters>(),
        Options<FullCellParameters>(), Options<SimulatedCellNoise>(), Options<SpringClampParameters>(),
        Options<ThermalPlantParameters>(), Options<ContactParameters>(), Options<LeadSwitchOptions>(),
    ];

    public static IReadOnlyList<string> Known { get; } = [.. All.Select(s => s.Name)];

    public static string? Find(string name) =>
        Known.FirstOrDefault(s => string.Equals(s, name, StringComparison.OrdinalIgnoreCase));

    // The annotation keeps every public property for the checker (SettingsCheck), which reflects over them.
    private static Type Options<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>() => typeof(T);
}
