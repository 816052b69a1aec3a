using Microsoft.Extensions.Configuration;
using Rig.Service.Composition;

namespace Rig.Service.Tests.Deploy;

public sealed class ConfigurationDirectoryTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("afr-config-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private ConfigurationManager ShippedConfiguration()
    {
        var content = Path.Combine(_work, "bin");
        Directory.CreateDirectory(content);
        File.WriteAllText(Path.Combine(content, "appsettings.json"),
            """{ "Rig": { "Id": "shipped", "Channels": { "ch1": { "Kind": "Simulated" }, "ch2": { "Kind": "Simulated" } } } }""");
        var configuration = new ConfigurationManager();
        configuration.SetBasePath(content);
        configuration.AddJsonFile("appsettings.json", optional: true);
        configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Rig:SamplePeriod"] = "00:00:02" });   // stands for env vars
        return configuration;
    }

    [Fact]
    public void Settings_in_the_configuration_directory_replace_the_shipped_file_instead_of_merging_channels()
    {
        var configuration = ShippedConfiguration();
        var etc = Path.Combine(_work, "etc");
        Directory.CreateDirectory(etc);
        File.WriteAllText(Path.Combine(etc, "appsettings.json"), """{ "Rig": { "Id": "lab-rig-7", "Channels": { "ch1": { "Kind": "Keithley2450" } } } }""");

        var used = configuration.UseConfigurationDirectory(etc);

        Assert.Equal(Path.Combine(etc, "appsettings.json"), used);
        Assert.Equal("lab-rig-7", configuration["Rig:Id"]);
        Assert.Equal("Keithley2450", configuration["Rig:Channels:ch1:Kind"]);
        Assert.Null(configuration["Rig:Channels:ch2:Kind"]);           // the shipped simulated ch2 is gone
        Assert.Equal("00:00:02", configuration["Rig:SamplePeriod"]);   // later sources still override
    }

    [Fact]
    public void Without_a_file_in_the_configuration_directory_the_shipped_settings_stay()
    {
        var configuration = ShippedConfiguration();

        Assert.Null(configuration.UseConfigurationDirectory(Path.Combine(_work, "empty")));
        Assert.Equal("shipped", configuration["Rig:Id"]);
        Assert.Equal("Simulated", configuration["Rig:Channels:ch2:Kind"]);
    }
}
