using Microsoft.Extensions.Configuration;
using Rig.Service.Configuration;

namespace Rig.Service.Tests.Configuration;

public sealed class SettingsCheckTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("afr-settings-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static IConfigurationRoot Shipped(params (string Key, string Value)[] overrides) =>
        new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"))
            .AddInMemoryCollection(overrides.Select(o => new KeyValuePair<string, string?>(o.Key, o.Value)))
            .Build();

    [Fact]
    public void The_shipped_settings_have_no_problem()
    {
        Assert.Empty(SettingsCheck.Problems(Shipped(), out var ignored));
        Assert.Empty(ignored);
    }

    [Fact]
    public void A_misspelt_nested_setting_is_named_by_its_full_path_with_what_was_meant()
    {
        var problem = Assert.Single(SettingsCheck.Problems(Shipped(("Rig:Channels:ch1:Clamp:Knd", "Nau7802")), out _));
        Assert.StartsWith("Rig:Channels:ch1:Clamp:Knd is not a setting (did you mean 'Kind'?)", problem, StringComparison.Ordinal);
        Assert.Contains("RatedForceNewtons", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_enum_value_lists_the_valid_ones_and_the_nearest()
    {
        var problem = Assert.Single(SettingsCheck.Problems(Shipped(("Rig:Channels:ch1:Pressure:OnOutOfWindow", "Pawse")), out _));
        Assert.StartsWith("Rig:Channels:ch1:Pressure:OnOutOfWindow: 'Pawse' is not one of ", problem, StringComparison.Ordinal);
        Assert.Contains("(did you mean 'Pause'?)", problem, StringComparison.Ordinal);
        foreach (var name in Enum.GetNames<PressureAction>())
        {
            Assert.Contains(name, problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Enum_values_bind_regardless_of_case_as_the_binder_does() =>
        Assert.Empty(SettingsCheck.Problems(Shipped(("Rig:Channels:ch1:Pressure:OnOutOfWindow", "pause")), out _));

    [Fact]
    public void A_misspelt_section_in_a_settings_file_is_refused_an_unrelated_one_only_noted()
    {
        var file = Path.Combine(_directory, "appsettings.json");
        File.WriteAllText(file, """{ "Mqt": { "Port": 1884 }, "Grafana": { "Url": "x" }, "Rig": { "Id": "rig-02" } }""");
        var configuration = new ConfigurationBuilder().AddJsonFile(file).Build();
        var problem = Assert.Single(SettingsCheck.Problems(configuration, out var ignored));
        Assert.Contains("Mqt (in ", problem, StringComparison.Ordinal);
        Assert.Contains("did you mean 'Mqtt'?", problem, StringComparison.Ordinal);
        Assert.Contains("Grafana", Assert.Single(ignored), StringComparison.Ordinal);
    }
}
