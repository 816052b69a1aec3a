using CsCheck;
using Rig.Service.Configuration;

namespace Rig.Service.Tests.Configuration;

/// <summary>
/// A random, otherwise valid rig for the GPIO claim property: an optional e-stop, up to three heater zones (simulated or
/// hardware, with SPI or I2C sensors and optional cut-outs), one to five channels (simulated, NAU7802, ADS1115 or HX711
/// clamps, optional GPIO lead relays), pins drawn from the header's 0-27 so that collisions are common. Beside the
/// options it keeps its own list of who claims which line, written from the Pi's pinout (not from the code under test).
/// </summary>
internal sealed record GeneratedRig(RigOptions Options, IReadOnlyList<GeneratedRig.Line> Claims)
{
    /// <summary>One claim: a BCM line, the key that claims it, the bus whose devices may share it (null: exclusive).</summary>
    internal sealed record Line(int Pin, string Key, string? Bus);

    internal sealed record Conflict(string Refused, string Owner);

    private static readonly Gen<int> Pin = CsCheck.Gen.Int[0, 27];

    public static Gen<GeneratedRig> Gen { get; } =
        CsCheck.Gen.Select(
            CsCheck.Gen.Select(CsCheck.Gen.Bool, Pin),
            Zone.Array[0, 3],
            Channel.Array[1, 5],
            (stop, zones, channels) => Build(stop.Item1 ? stop.Item2 : null, zones, channels));

    /// <summary>Every pair of claims on one line that are not two devices on the same bus, both ways round.</summary>
    public IReadOnlyList<Conflict> Conflicts() =>
        [.. from a in Claims
            from b in Claims
            where a != b && a.Pin == b.Pin && !(a.Bus is not null && a.Bus == b.Bus)
            select new Conflict(a.Key, b.Key)];

    public override string ToString() =>
        string.Join("; ", Claims.GroupBy(c => c.Pin).OrderBy(g => g.Key).Select(g => $"GPIO{g.Key}: {string.Join(", ", g.Select(c => c.Bus is null ? c.Key : $"{c.Key} [{c.Bus}]"))}"));

    private sealed record ZoneSpec(bool Hardware, int OutputPin, bool SpiSensor, int Bus, int ChipSelect, int? CutOutPin);

    private sealed record ChannelSpec(LoadCellKind Clamp, int Bus, int DataPin, int ClockPin, int? RelayPin);

    private static Gen<ZoneSpec> Zone =>
        CsCheck.Gen.Select(CsCheck.Gen.Bool, Pin, CsCheck.Gen.Bool, CsCheck.Gen.Int[0, 1], CsCheck.Gen.Int[0, 1], Optional(Pin))
            .Select(t => new ZoneSpec(t.Item1, t.Item2, t.Item3, t.Item4, t.Item5, t.Item6));

    private static Gen<ChannelSpec> Channel =>
        CsCheck.Gen.Select(CsCheck.Gen.Enum<LoadCellKind>(), CsCheck.Gen.Int[0, 1], Pin, Pin, Optional(Pin))
            .Select(t => new ChannelSpec(t.Item1, t.Item2, t.Item3, t.Item4, t.Item5));

    private static Gen<int?> Optional(Gen<int> pin) => CsCheck.Gen.Bool.Select(pin, (has, p) => has ? p : (int?)null);

    // The Pi's header (pinout.xyz): I2C0 = GPIO0/1, I2C1 = GPIO2/3, SPI0 MISO/MOSI/SCLK = 9/10/11 with CE0/CE1 = 8/7,
    // SPI1 MISO/MOSI/SCLK = 19/20/21 with CE0/CE1 = 18/17.
    private static IEnumerable<Line> I2c(int bus, string key) => [new(bus * 2, key, $"i2c{bus}"), new(bus * 2 + 1, key, $"i2c{bus}")];

    private static IEnumerable<Line> Spi(int bus, int chipSelect, string busKey, string chipSelectKey) =>
        bus == 0
            ? [new(9, busKey, "spi0"), new(10, busKey, "spi0"), new(11, busKey, "spi0"), new(chipSelect == 0 ? 8 : 7, chipSelectKey, null)]
            : [new(19, busKey, "spi1"), new(20, busKey, "spi1"), new(21, busKey, "spi1"), new(chipSelect == 0 ? 18 : 17, chipSelectKey, null)];

    private static GeneratedRig Build(int? stopPin, ZoneSpec[] zones, ChannelSpec[] channels)
    {
        var options = new RigOptions();
        var claims = new List<Line>();
        if (stopPin is { } stop)
        {
            options.EmergencyStop = new EmergencyStopOptions { Kind = EmergencyStopKind.Gpio, GpioPin = stop };
            claims.Add(new(stop, "Rig:EmergencyStop:GpioPin", null));
        }
        for (var i = 0; i < zones.Length; i++)
        {
            var spec = zones[i];
            var key = $"Rig:HeaterZones:z{i}";
            var zone = new HeaterZoneOptions { Kind = spec.Hardware ? HeaterZoneKind.Hardware : HeaterZoneKind.Simulated };
            if (spec.Hardware)
            {
                zone.Output.GpioPin = spec.OutputPin;
                claims.Add(new(spec.OutputPin, $"{key}:Output:GpioPin", null));
                if (spec.SpiSensor)
                {
                    zone.Sensor.Kind = TemperatureSensorKind.Max31865;
                    zone.Sensor.SpiBus = spec.Bus;
                    zone.Sensor.SpiChipSelect = spec.ChipSelect;
                    claims.AddRange(Spi(spec.Bus, spec.ChipSelect, $"{key}:Sensor:SpiBus", $"{key}:Sensor:SpiChipSelect"));
                }
                else
                {
                    zone.Sensor.Kind = TemperatureSensorKind.Mcp960x;
                    zone.Sensor.I2cBus = spec.Bus;
                    claims.AddRange(I2c(spec.Bus, $"{key}:Sensor:I2cBus"));
                }
            }
            if (spec.CutOutPin is { } cutOut)
            {
                zone.CutOut = new ThermalCutOutOptions { Kind = ThermalCutOutKind.Gpio, GpioPin = cutOut };
                claims.Add(new(cutOut, $"{key}:CutOut:GpioPin", null));
            }
            options.HeaterZones[$"z{i}"] = zone;
        }
        for (var i = 0; i < channels.Length; i++)
        {
            var spec = channels[i];
            var key = $"Rig:Channels:ch{i}";
            var channel = new ChannelOptions { Cell = new CellOptions { Name = $"cell-{i}" }, Clamp = new ClampOptions { Kind = spec.Clamp } };
            switch (spec.Clamp)
            {
                case LoadCellKind.Nau7802:
                    channel.Clamp.Nau7802.I2cBus = spec.Bus;
                    claims.AddRange(I2c(spec.Bus, $"{key}:Clamp:Nau7802:I2cBus"));
                    break;
                case LoadCellKind.Ads1115:
                    channel.Clamp.Ads1115.I2cBus = spec.Bus;
                    claims.AddRange(I2c(spec.Bus, $"{key}:Clamp:Ads1115:I2cBus"));
                    break;
                case LoadCellKind.Hx711:
                    channel.Clamp.Hx711.DataPin = spec.DataPin;
                    channel.Clamp.Hx711.ClockPin = spec.ClockPin;
                    claims.Add(new(spec.DataPin, $"{key}:Clamp:Hx711:DataPin", null));
                    claims.Add(new(spec.ClockPin, $"{key}:Clamp:Hx711:ClockPin", null));
                    break;
            }
            if (spec.RelayPin is { } relay)
            {
                channel.LeadSwitch = new LeadSwitchOptions { Kind = LeadSwitchKind.Gpio, GpioPin = relay };
                claims.Add(new(relay, $"{key}:LeadSwitch:GpioPin", null));
            }
            options.Channels[$"ch{i}"] = channel;
        }
        return new GeneratedRig(options, claims);
    }
}
