using UnitsNet;

namespace Rig.Drivers.Potentiostats;

/// <summary>One measurement of a channel.</summary>
/// <param name="Timestamp">When the instrument took it (rig clock).</param>
/// <param name="Voltage">Cell voltage, working vs counter/reference.</param>
/// <param name="Current">Current, positive out of HI (see <see cref="IPotentiostatChannel"/>).</param>
/// <param name="OutputOn">Whether the output was on.</param>
/// <param name="InCompliance">True when the instrument was limiting at its compliance value.</param>
public readonly record struct PotentiostatReading(
    DateTimeOffset Timestamp,
    ElectricPotential Voltage,
    ElectricCurrent Current,
    bool OutputOn,
    bool InCompliance);
