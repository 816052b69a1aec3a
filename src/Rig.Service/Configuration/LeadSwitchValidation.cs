namespace Rig.Service.Configuration;

/// <summary>
/// Checks every channel's lead relay: a known kind, a settle time, a BCM pin in range. Whether the pin is free of the
/// heater, cut-out, e-stop, HX711, bus lines and other relays is <see cref="GpioClaimValidation"/>'s check.
/// </summary>
internal static class LeadSwitchValidation
{
    private const string Root = RigOptions.SectionName;

    public static void Validate(RigOptions rig, ValidationErrors errors)
    {
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
            if (relay.Kind == LeadSwitchKind.Gpio && relay.GpioPin is < 0 or > 53)
            {
                errors.Add($"{key}:GpioPin", "must be a BCM GPIO number 0-53 (the line driving the relay coil's transistor)", relay.GpioPin);
            }
        }
    }
}
