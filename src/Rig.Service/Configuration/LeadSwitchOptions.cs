namespace Rig.Service.Configuration;

/// <summary>
/// The relay that puts a channel's cell on the SMU or on the impedance analyser (hardware/impedance-wiring.md,
/// wiring B). None (the default) is wiring A: the analyser in parallel with the SMU, whose output is off while it
/// measures. Wired fail-safe: de-energised = SMU.
/// </summary>
public sealed class LeadSwitchOptions
{
    public LeadSwitchKind Kind { get; set; } = LeadSwitchKind.None;

    /// <summary>BCM GPIO number of the line that drives the coil's transistor (Kind = Gpio). No default: a pin must be chosen.</summary>
    public int GpioPin { get; set; } = -1;

    /// <summary>True when a high line energises the coil (a low-side NPN or logic-level MOSFET stage: true).</summary>
    public bool ActiveHigh { get; set; } = true;

    /// <summary>Wait after each switch for the contacts to settle, ms (operate/release time plus bounce; 20 ms: RelayTiming).</summary>
    public double SettleMilliseconds { get; set; } = 20;
}

public enum LeadSwitchKind
{
    /// <summary>No relay: wiring A (analyser in parallel, SMU output off while it measures).</summary>
    None,
    /// <summary>A relay coil on a GPIO line (wiring B).</summary>
    Gpio,
    /// <summary>The simulated rig's relay (records its position; tests can make it fail).</summary>
    Simulated,
}
