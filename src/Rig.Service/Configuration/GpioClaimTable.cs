namespace Rig.Service.Configuration;

/// <summary>
/// Who owns each BCM GPIO line: the first key to claim a line owns it, and every later claim is an error naming both
/// keys. Only the lines of one bus may be claimed again, by another device on the same bus (two clamps on I2C bus 1
/// share GPIO2/3; a relay there would not).
/// </summary>
internal sealed class GpioClaimTable(ValidationErrors errors)
{
    // BCM numbers a Pi's gpiochip has (the header uses 0-27); a pin outside is refused by its own area's range check.
    private const int HighestPin = 53;

    private readonly Dictionary<int, Owner> _owners = [];

    /// <summary>A line driven or read by one device alone (a relay coil, an e-stop input, an HX711 line).</summary>
    public void Claim(int pin, string key) => Add(pin, new Owner(key, null, null), pin);

    /// <summary>A line of a shared bus; <paramref name="bus"/> says which ("I2C bus 1"), <paramref name="line"/> which of its lines.</summary>
    public void ClaimBusLine(int pin, string key, string bus, string line) => Add(pin, new Owner(key, bus, line), null);

    /// <summary>The chip-select line of one device on a bus: its own, never shared.</summary>
    public void ClaimChipSelect(int pin, string key, string bus, string line) => Add(pin, new Owner(key, null, $"{bus} {line}"), null);

    private void Add(int pin, Owner claim, object? configured)
    {
        if (pin is < 0 or > HighestPin)
        {
            return;
        }
        if (!_owners.TryGetValue(pin, out var owner))
        {
            _owners[pin] = claim;
            return;
        }
        if (claim.Bus is not null && claim.Bus == owner.Bus)
        {
            return;
        }
        errors.Add(claim.Key, $"needs GPIO{pin}{claim.Use}, already claimed by {owner.Key}{owner.Use}: one line, one use (hardware/README.md, pin map)", configured);
    }

    // Bus: the bus whose devices may share the line (null: exclusive). Line: what the line is, for the message.
    private sealed record Owner(string Key, string? Bus, string? Line)
    {
        public string Use => Line is null ? "" : Bus is null ? $" ({Line})" : $" ({Bus} {Line})";
    }
}
