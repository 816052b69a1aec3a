using Rig.Drivers.Cells;
using Rig.Drivers.DigitalInputs.Simulated;
using Rig.Drivers.Heaters.Simulated;
using Rig.Drivers.Impedance.LeadSwitching;
using Rig.Drivers.LoadCells.Simulated;
using Rig.Drivers.Potentiostats.Simulated;

namespace Rig.Service.Hardware;

/// <summary>
/// Handles on the simulated parts of the rig, so tests and the bench can inject faults and read true physics.
/// Empty on a rig with only real hardware.
/// </summary>
public sealed class SimulatedDevices
{
    public Dictionary<string, SimulatedCell> Cells { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, SimulatedPotentiostatChannel> Instruments { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, SimulatedSpringClamp> Clamps { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, SimulatedThermalZone> Zones { get; } = new(StringComparer.Ordinal);
    public SimulatedDigitalInput? EmergencyStop { get; set; }

    /// <summary>Each channel's simulated lead relay, when its options configure one.</summary>
    public Dictionary<string, SimulatedLeadSwitch> LeadSwitches { get; } = new(StringComparer.Ordinal);

    /// <summary>Each zone's simulated thermal cut-out, when its options configure one.</summary>
    public Dictionary<string, SimulatedThermalCutOut> CutOuts { get; } = new(StringComparer.Ordinal);
}
