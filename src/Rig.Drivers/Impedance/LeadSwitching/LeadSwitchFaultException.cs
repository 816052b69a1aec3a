using Rig.Drivers.Faults;

namespace Rig.Drivers.Impedance.LeadSwitching;

/// <summary>
/// A lead relay that did not switch: nobody knows where the cell's leads are. A type of its own, so the impedance
/// runner tells a relay fault (latched interlock, output held off) from an analyser fault (test paused) by what was
/// thrown, not by comparing device names a configuration change could rename.
/// </summary>
public sealed class LeadSwitchFaultException(HardwareFault fault, Exception? innerException = null)
    : HardwareFaultException(fault, innerException);
