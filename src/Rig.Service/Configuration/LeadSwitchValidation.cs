namespace Rig.Service.Configuration;

/// <summary>
/// Checks every channel's lead relay: a GPIO relay needs a pin of its own. A pin shared with a heater's SSR line, a
/// thermal cut-out or e-stop input, an HX711, or another channel's relay would switch the cell's leads whenever that
/// other line moves (or read the coil drive as an open cut-out), so the start fails naming both keys.
/// </summary>
internal static class LeadSwitchValidation
{
    private const string Root = RigOptions.SectionName;
    private const int PiI2cBus = 1;
    private const int PiI2cSda = 2;
    private const int PiI2cScl = 3;

    public static void Validate(RigOptions rig, ValidationErrors errors)
    {
        var taken = OtherGpioPins(rig);
        foreach (var (channelId, channel) in rig.Channels)
        {
            var key = $"{Root}:Channels:{channelId}:LeadSwitch";
            var relay = channel.LeadSwitch;
            if (!Enum.IsDefined(relay.Kind))
            {
                errors.Add($"{key}:Kind", "must be None, Gpio or Simulated", relay.Kind);
                continue;
            }
            if (relay.Kind == LeadSwitchKind.None)
            {
                continue;
            }
            errors.InRange($"{key}:SettleMilliseconds", relay.SettleMilliseconds, relay.Kind == LeadSwitchKind.Gpio ? 1 : 0, 1000, "ms");
            if (relay.Kind != LeadSwitchKind.Gpio)
            {
                continue;
            }
            if (relay.GpioPin is < 0 or > 53)
            {
                errors.Add($"{key}:GpioPin", "must be a BCM GPIO number 0-53 (the line driving the relay coil's transistor)", relay.GpioPin);
                continue;
            }
            if (taken.TryGetValue(relay.GpioPin, out var owner))
            {
                errors.Add($"{key}:GpioPin", $"is already used by {owner}", relay.GpioPin);
            }
            else
            {
                taken[relay.GpioPin] = $"{key}:GpioPin";
            }
        }
    }

    // Every GPIO line the rig already drives or reads, with the key that claims it.
    private static Dictionary<int, string> OtherGpioPins(RigOptions rig)
    {
        var pins = new Dictionary<int, string>();
        foreach (var (zoneId, zone) in rig.HeaterZones)
        {
            var key = $"{Root}:HeaterZones:{zoneId}";
            if (zone.Kind == HeaterZoneKind.Hardware && zone.Output.Kind == HeaterOutputKind.TimeProportionedGpio)
            {
                pins.TryAdd(zone.Output.GpioPin, $"{key}:Output:GpioPin");
            }
            if (zone.CutOut is { Kind: ThermalCutOutKind.Gpio } cutOut)
            {
                pins.TryAdd(cutOut.GpioPin, $"{key}:CutOut:GpioPin");
            }
        }
        if (rig.EmergencyStop is { Kind: EmergencyStopKind.Gpio } stop)
        {
            pins.TryAdd(stop.GpioPin, $"{Root}:EmergencyStop:GpioPin");
        }
        foreach (var (channelId, channel) in rig.Channels)
        {
            if (channel.Clamp.Kind == LoadCellKind.Hx711)
            {
                pins.TryAdd(channel.Clamp.Hx711.DataPin, $"{Root}:Channels:{channelId}:Clamp:Hx711:DataPin");
                pins.TryAdd(channel.Clamp.Hx711.ClockPin, $"{Root}:Channels:{channelId}:Clamp:Hx711:ClockPin");
            }
            // The Pi's I2C bus 1 is GPIO2 (SDA) and GPIO3 (SCL): a relay coil driven there would corrupt every clamp read.
            var i2cBusKey = channel.Clamp.Kind switch
            {
                LoadCellKind.Nau7802 when channel.Clamp.Nau7802.I2cBus == PiI2cBus => $"{Root}:Channels:{channelId}:Clamp:Nau7802:I2cBus",
                LoadCellKind.Ads1115 when channel.Clamp.Ads1115.I2cBus == PiI2cBus => $"{Root}:Channels:{channelId}:Clamp:Ads1115:I2cBus",
                _ => null,
            };
            if (i2cBusKey is not null)
            {
                pins.TryAdd(PiI2cSda, $"{i2cBusKey} (I2C bus 1, GPIO{PiI2cSda} SDA)");
                pins.TryAdd(PiI2cScl, $"{i2cBusKey} (I2C bus 1, GPIO{PiI2cScl} SCL)");
            }
        }
        return pins;
    }
}
