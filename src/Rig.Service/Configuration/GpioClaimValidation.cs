namespace Rig.Service.Configuration;

/// <summary>
/// The one check that no two settings use the same GPIO line. Two owners of one line fail in ways no single reading
/// shows: a relay coil on a cut-out input reads as an open switch, a heater SSR on an HX711 clock turns on with every
/// conversion, a relay on I2C1's SCL corrupts every clamp read. Every claim goes through <see cref="GpioClaimTable"/>
/// with its key; the start fails naming both keys.
/// </summary>
internal static class GpioClaimValidation
{
    private const string Root = RigOptions.SectionName;

    public static void Validate(RigOptions rig, ValidationErrors errors)
    {
        var claims = new GpioClaimTable(errors);
        // The buses first: they are fixed wiring, so a later single line on one is what the message tells to move.
        ClaimBuses(rig, claims);
        ClaimLines(rig, claims);
    }

    private static void ClaimBuses(RigOptions rig, GpioClaimTable claims)
    {
        foreach (var (zoneId, zone) in rig.HeaterZones)
        {
            if (zone.Kind != HeaterZoneKind.Hardware)
            {
                continue;
            }
            var key = $"{Root}:HeaterZones:{zoneId}:Sensor";
            var sensor = zone.Sensor;
            if (sensor.Kind is TemperatureSensorKind.Max31865 or TemperatureSensorKind.Max31856)
            {
                ClaimSpi(claims, $"{key}:SpiBus", $"{key}:SpiChipSelect", sensor.SpiBus, sensor.SpiChipSelect);
            }
            else if (sensor.Kind == TemperatureSensorKind.Mcp960x)
            {
                ClaimI2c(claims, $"{key}:I2cBus", sensor.I2cBus);
            }
        }
        foreach (var (channelId, channel) in rig.Channels)
        {
            var key = $"{Root}:Channels:{channelId}:Clamp";
            switch (channel.Clamp.Kind)
            {
                case LoadCellKind.Nau7802:
                    ClaimI2c(claims, $"{key}:Nau7802:I2cBus", channel.Clamp.Nau7802.I2cBus);
                    break;
                case LoadCellKind.Ads1115:
                    ClaimI2c(claims, $"{key}:Ads1115:I2cBus", channel.Clamp.Ads1115.I2cBus);
                    break;
            }
        }
    }

    private static void ClaimLines(RigOptions rig, GpioClaimTable claims)
    {
        if (rig.EmergencyStop is { Kind: EmergencyStopKind.Gpio } stop)
        {
            claims.Claim(stop.GpioPin, $"{Root}:EmergencyStop:GpioPin");
        }
        foreach (var (zoneId, zone) in rig.HeaterZones)
        {
            var key = $"{Root}:HeaterZones:{zoneId}";
            // A hardware-PWM output's line is chosen by the dtoverlay, not by a setting: nothing here to claim.
            if (zone.Kind == HeaterZoneKind.Hardware && zone.Output.Kind == HeaterOutputKind.TimeProportionedGpio)
            {
                claims.Claim(zone.Output.GpioPin, $"{key}:Output:GpioPin");
            }
            if (zone.CutOut is { Kind: ThermalCutOutKind.Gpio } cutOut)
            {
                claims.Claim(cutOut.GpioPin, $"{key}:CutOut:GpioPin");
            }
        }
        foreach (var (channelId, channel) in rig.Channels)
        {
            var key = $"{Root}:Channels:{channelId}";
            if (channel.Clamp.Kind == LoadCellKind.Hx711)
            {
                claims.Claim(channel.Clamp.Hx711.DataPin, $"{key}:Clamp:Hx711:DataPin");
                claims.Claim(channel.Clamp.Hx711.ClockPin, $"{key}:Clamp:Hx711:ClockPin");
            }
            if (channel.LeadSwitch.Kind == LeadSwitchKind.Gpio)
            {
                claims.Claim(channel.LeadSwitch.GpioPin, $"{key}:LeadSwitch:GpioPin");
            }
        }
    }

    private static void ClaimI2c(GpioClaimTable claims, string busKey, int bus)
    {
        foreach (var (pin, line) in PiHeaderBuses.I2c(bus))
        {
            claims.ClaimBusLine(pin, busKey, $"I2C bus {bus}", line);
        }
    }

    private static void ClaimSpi(GpioClaimTable claims, string busKey, string chipSelectKey, int bus, int chipSelect)
    {
        foreach (var (pin, line) in PiHeaderBuses.SpiShared(bus))
        {
            claims.ClaimBusLine(pin, busKey, $"SPI bus {bus}", line);
        }
        if (PiHeaderBuses.SpiChipSelect(bus, chipSelect) is { } csPin)
        {
            claims.ClaimChipSelect(csPin, chipSelectKey, $"SPI bus {bus}", $"CE{chipSelect}");
        }
    }
}
