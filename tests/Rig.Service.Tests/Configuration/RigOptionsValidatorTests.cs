using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Rig.Service.Composition;
using Rig.Service.Configuration;
using Rig.Service.Tests.Support;

namespace Rig.Service.Tests.Configuration;

public class RigOptionsValidatorTests
{
    [Fact]
    public void The_shipped_appsettings_is_valid()
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: false)
            .Build();
        var options = configuration.GetSection("Rig").Get<RigOptions>()!;

        var result = new RigOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Equal(2, options.Channels.Count);
    }

    [Theory]
    [InlineData("Rig:Id", "rig 01!", "Rig:Id: must be 1-32 letters")]
    [InlineData("Rig:SamplePeriod", "00:00:00", "Rig:SamplePeriod: must be greater than 0")]
    [InlineData("Rig:DeviceTimeout", "-00:00:01", "Rig:DeviceTimeout: must be greater than 0")]
    [InlineData("Rig:Channels:ch1:Cell:AreaCm2", "-1", "Rig:Channels:ch1:Cell:AreaCm2: must be between 0.01 and 20 cm² (was -1)")]
    [InlineData("Rig:Channels:ch1:Cell:Name", "", "Rig:Channels:ch1:Cell:Name: is required")]
    [InlineData("Rig:Channels:ch1:HeaterZone", "oven-9", "Rig:Channels:ch1:HeaterZone: names no zone in Rig:HeaterZones")]
    [InlineData("Rig:Channels:ch1:Clamp:RatedForceNewtons", "0", "Rig:Channels:ch1:Clamp:RatedForceNewtons: must be between 10 and 100000 N")]
    [InlineData("Rig:HeaterZones:zone-a:SetpointCelsius", "150", "Rig:HeaterZones:zone-a:SetpointCelsius: must be between 0 and 100 °C")]
    [InlineData("Rig:HeaterZones:zone-a:MaxCelsius", "35", "Rig:HeaterZones:zone-a:MaxCelsius: must be above SetpointCelsius")]
    [InlineData("Rig:HeaterZones:zone-a:Simulation:HeatCapacityJoulesPerKelvin", "0", "Rig:HeaterZones:zone-a:Simulation:HeatCapacityJoulesPerKelvin: must be greater than 0")]
    [InlineData("Rig:Channels:ch2:Simulation:FullCell:CoulombicEfficiency", "1.5", "Rig:Channels:ch2:Simulation:FullCell:CoulombicEfficiency: must be between 0 and 1")]
    [InlineData("Rig:Channels:ch1:Simulation:Clamp:SpringRateNewtonsPerMicrometre", "0", "Rig:Channels:ch1:Simulation:Clamp:SpringRateNewtonsPerMicrometre: must be greater than 0")]
    public void A_bad_value_is_reported_with_its_key_and_reason(string key, string value, string expected)
    {
        var failures = Validate(new() { [key] = value });

        Assert.Contains(failures, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_bad_key_is_reported_not_just_the_first()
    {
        var failures = Validate(new()
        {
            ["Rig:Channels:ch1:Cell:AreaCm2"] = "0",
            ["Rig:HeaterZones:zone-a:SetpointCelsius"] = "-5",
        });

        Assert.Contains(failures, f => f.StartsWith("Rig:Channels:ch1:Cell:AreaCm2", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Rig:HeaterZones:zone-a:SetpointCelsius", StringComparison.Ordinal));
    }

    [Fact]
    public void A_rig_without_channels_is_refused()
    {
        var options = new RigOptions();

        var result = new RigOptionsValidator().Validate(null, options);

        Assert.Contains(result.Failures!, f => f.StartsWith("Rig:Channels: no channels configured", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_host_refuses_to_start_on_a_bad_value_and_names_the_key()
    {
        using var host = BuildHost(new() { ["Rig:Channels:ch1:Cell:AreaCm2"] = "-1" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(error.Failures, f => f.Contains("Rig:Channels:ch1:Cell:AreaCm2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_misspelt_key_stops_the_host_naming_it()
    {
        using var host = BuildHost(new() { ["Rig:Channels:ch1:Cell:AreaCm"] = "0.5" });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        var described = string.Join("\n", StartupError.DescribeConfigurationError(error)!);
        Assert.Contains("'AreaCm'", described, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_enum_value_stops_the_host_naming_the_key()
    {
        using var host = BuildHost(new() { ["Rig:Channels:ch1:Cell:Chemistry"] = "LithiumIon" });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        var described = string.Join("\n", StartupError.DescribeConfigurationError(error)!);
        Assert.Contains("Rig:Channels:ch1:Cell:Chemistry", described, StringComparison.Ordinal);
    }

    private static IReadOnlyList<string> Validate(Dictionary<string, string?> overrides)
    {
        var options = new ConfigurationBuilder().AddInMemoryCollection(TestRig.SettingsWith(overrides)).Build().GetSection("Rig").Get<RigOptions>()!;
        var result = new RigOptionsValidator().Validate(null, options);
        return result.Failures?.ToList() ?? [];
    }

    private static IHost BuildHost(Dictionary<string, string?> overrides)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(TestRig.SettingsWith(overrides));
        builder.Services.AddRigConfiguration(builder.Configuration);
        return builder.Build();
    }
}
