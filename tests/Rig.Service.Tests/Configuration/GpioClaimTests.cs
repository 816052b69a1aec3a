using CsCheck;
using Microsoft.Extensions.Configuration;
using Rig.Service.Configuration;
using Rig.Service.Tests.Support;

namespace Rig.Service.Tests.Configuration;

/// <summary>
/// One GPIO line, one owner: every kind of claim (heater output, cut-out, e-stop, HX711, lead relay, the lines of an
/// I2C or SPI bus a configured device is on) against the others, through the settings check the service starts with.
/// </summary>
public sealed class GpioClaimTests
{
    private const string Zone = "Rig:HeaterZones:zone-a";
    private const string Ch1 = "Rig:Channels:ch1";
    private const string Ch2 = "Rig:Channels:ch2";

    /// <summary>Settings ("key=value;..." on top of the test rig's), the key refused, the key that owns the line.</summary>
    public static TheoryData<string, string, string> Conflicts() => new()
    {
        // Heater output vs its own zone's cut-out: a cut-out input read from the SSR line.
        { $"{Zone}:Kind=Hardware;{Zone}:Output:GpioPin=22;{Zone}:CutOut:Kind=Gpio;{Zone}:CutOut:GpioPin=22", $"{Zone}:CutOut:GpioPin", $"{Zone}:Output:GpioPin" },
        // E-stop vs heater output.
        { $"Rig:EmergencyStop:Kind=Gpio;Rig:EmergencyStop:GpioPin=17;{Zone}:Kind=Hardware", $"{Zone}:Output:GpioPin", "Rig:EmergencyStop:GpioPin" },
        // Cut-out vs another zone's cut-out.
        { $"{Zone}:CutOut:Kind=Gpio;{Zone}:CutOut:GpioPin=23;Rig:HeaterZones:zone-b:CutOut:Kind=Gpio;Rig:HeaterZones:zone-b:CutOut:GpioPin=23", "Rig:HeaterZones:zone-b:CutOut:GpioPin", $"{Zone}:CutOut:GpioPin" },
        // HX711 data and clock on one line.
        { $"{Ch1}:Clamp:Kind=Hx711;{Ch1}:Clamp:Hx711:DataPin=6;{Ch1}:Clamp:Hx711:ClockPin=6", $"{Ch1}:Clamp:Hx711:ClockPin", $"{Ch1}:Clamp:Hx711:DataPin" },
        // HX711 vs another channel's HX711.
        { $"{Ch1}:Clamp:Kind=Hx711;{Ch2}:Clamp:Kind=Hx711;{Ch2}:Clamp:Hx711:DataPin=6;{Ch2}:Clamp:Hx711:ClockPin=27", $"{Ch2}:Clamp:Hx711:DataPin", $"{Ch1}:Clamp:Hx711:ClockPin" },
        // HX711 clock vs heater output.
        { $"{Zone}:Kind=Hardware;{Zone}:Output:GpioPin=6;{Ch1}:Clamp:Kind=Hx711", $"{Ch1}:Clamp:Hx711:ClockPin", $"{Zone}:Output:GpioPin" },
        // Lead relay vs another channel's lead relay.
        { $"{Ch1}:LeadSwitch:Kind=Gpio;{Ch1}:LeadSwitch:GpioPin=24;{Ch2}:LeadSwitch:Kind=Gpio;{Ch2}:LeadSwitch:GpioPin=24", $"{Ch2}:LeadSwitch:GpioPin", $"{Ch1}:LeadSwitch:GpioPin" },
        // Lead relay vs e-stop.
        { $"Rig:EmergencyStop:Kind=Gpio;Rig:EmergencyStop:GpioPin=26;{Ch1}:LeadSwitch:Kind=Gpio;{Ch1}:LeadSwitch:GpioPin=26", $"{Ch1}:LeadSwitch:GpioPin", "Rig:EmergencyStop:GpioPin" },
        // Lead relay vs an HX711 line.
        { $"{Ch1}:Clamp:Kind=Hx711;{Ch2}:LeadSwitch:Kind=Gpio;{Ch2}:LeadSwitch:GpioPin=5", $"{Ch2}:LeadSwitch:GpioPin", $"{Ch1}:Clamp:Hx711:DataPin" },
        // I2C bus 1 (a NAU7802 clamp) vs a lead relay on SCL.
        { $"{Ch1}:Clamp:Kind=Nau7802;{Ch2}:LeadSwitch:Kind=Gpio;{Ch2}:LeadSwitch:GpioPin=3", $"{Ch2}:LeadSwitch:GpioPin", $"{Ch1}:Clamp:Nau7802:I2cBus" },
        // I2C bus 1 (an ADS1115 clamp) vs a heater output on SDA.
        { $"{Ch2}:Clamp:Kind=Ads1115;{Zone}:Kind=Hardware;{Zone}:Output:GpioPin=2", $"{Zone}:Output:GpioPin", $"{Ch2}:Clamp:Ads1115:I2cBus" },
        // I2C bus 0 (an MCP960x thermocouple sensor) vs the e-stop on SCL.
        { $"{Zone}:Kind=Hardware;{Zone}:Sensor:Kind=Mcp960x;{Zone}:Sensor:I2cBus=0;Rig:EmergencyStop:Kind=Gpio;Rig:EmergencyStop:GpioPin=1", "Rig:EmergencyStop:GpioPin", $"{Zone}:Sensor:I2cBus" },
        // SPI bus 0's MOSI (a MAX31865) vs a lead relay.
        { $"{Zone}:Kind=Hardware;{Ch1}:LeadSwitch:Kind=Gpio;{Ch1}:LeadSwitch:GpioPin=10", $"{Ch1}:LeadSwitch:GpioPin", $"{Zone}:Sensor:SpiBus" },
        // Two sensors on one chip select.
        { $"{Zone}:Kind=Hardware;Rig:HeaterZones:zone-b:Kind=Hardware;Rig:HeaterZones:zone-b:Output:GpioPin=27", "Rig:HeaterZones:zone-b:Sensor:SpiChipSelect", $"{Zone}:Sensor:SpiChipSelect" },
        // SPI bus 1's CE1 (GPIO17) vs the heater output's default pin 17.
        { $"{Zone}:Kind=Hardware;{Zone}:Sensor:SpiBus=1;{Zone}:Sensor:SpiChipSelect=1", $"{Zone}:Output:GpioPin", $"{Zone}:Sensor:SpiChipSelect" },
    };

    [Theory]
    [MemberData(nameof(Conflicts))]
    public void A_line_claimed_twice_refuses_the_start_naming_both_keys(string settings, string refused, string owner)
    {
        var failures = Validate(Parse(settings));

        var failure = Assert.Single(failures);
        Assert.StartsWith($"{refused}: ", failure, StringComparison.Ordinal);
        Assert.Contains(owner, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Devices_on_one_bus_share_its_lines_and_the_lines_of_an_unused_bus_are_free()
    {
        var failures = Validate(Parse(
            $"{Ch1}:Clamp:Kind=Nau7802;{Ch2}:Clamp:Kind=Ads1115;" +
            $"{Zone}:Kind=Hardware;{Zone}:Output:GpioPin=12;" +
            "Rig:HeaterZones:zone-b:Kind=Hardware;Rig:HeaterZones:zone-b:Sensor:SpiChipSelect=1;Rig:HeaterZones:zone-b:Output:GpioPin=13;" +
            // Nothing is on I2C bus 0 or SPI bus 1: their lines are ordinary GPIO.
            $"{Ch1}:LeadSwitch:Kind=Gpio;{Ch1}:LeadSwitch:GpioPin=0;{Ch2}:LeadSwitch:Kind=Gpio;{Ch2}:LeadSwitch:GpioPin=20"));

        Assert.Empty(failures);
    }

    [Fact]
    public void A_configuration_is_refused_exactly_when_a_line_is_claimed_twice_and_each_refusal_names_both_keys()
    {
        GeneratedRig.Gen.Sample(rig =>
        {
            var failures = new RigOptionsValidator().Validate(null, rig.Options).Failures?.ToList() ?? [];

            var conflicts = rig.Conflicts();
            Assert.Equal(conflicts.Count > 0, failures.Count > 0);
            Assert.All(failures, f => Assert.Contains(conflicts, c => f.StartsWith($"{c.Refused}: ", StringComparison.Ordinal) && f.Contains(c.Owner, StringComparison.Ordinal)));
        }, iter: 2000, print: rig => rig.ToString());
    }

    private static Dictionary<string, string?> Parse(string settings) =>
        settings.Split(';').Select(s => s.Split('=')).ToDictionary(kv => kv[0], kv => (string?)kv[1]);

    private static List<string> Validate(Dictionary<string, string?> overrides)
    {
        var options = new ConfigurationBuilder().AddInMemoryCollection(TestRig.SettingsWith(overrides)).Build().GetSection("Rig").Get<RigOptions>()!;
        return new RigOptionsValidator().Validate(null, options).Failures?.ToList() ?? [];
    }
}
