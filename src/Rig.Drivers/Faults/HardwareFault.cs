namespace Rig.Drivers.Faults;

/// <summary>
/// A fault as data: which device, on which channel, what happened, and what the operator should check.
/// It is what gets logged, stored and published; <see cref="HardwareFaultException"/> carries it.
/// </summary>
/// <param name="Kind">What went wrong.</param>
/// <param name="Device">The device, as configured (e.g. "nau7802@mux0/ch2", "keithley2450 tcp://10.0.0.5:5025").</param>
/// <param name="Message">What happened, in the device's own terms where it has them.</param>
/// <param name="WhatToCheck">The first thing an operator should look at.</param>
/// <param name="Channel">The rig channel the device serves, when known.</param>
public sealed record HardwareFault(
    FaultKind Kind,
    string Device,
    string Message,
    string WhatToCheck,
    string? Channel = null)
{
    public HardwareFault ForChannel(string channel) => this with { Channel = channel };

    public override string ToString() =>
        $"{Kind} on {Device}{(Channel is null ? "" : $" (channel {Channel})")}: {Message}. Check: {WhatToCheck}";
}
