using UnitsNet;

namespace Rig.Drivers.Potentiostats;

/// <summary>One measurement of a channel.</summary>
/// <param name="Timestamp">When the instrument took it (rig clock).</param>
/// <param name="Voltage">Cell voltage, working vs counter/reference.</param>
/// <param name="Current">Current, positive out of HI (see <see cref="IPotentiostatChannel"/>).</param>
/// <param name="OutputOn">Whether the output was on.</param>
/// <param name="InCompliance">True when the instrument was limiting at its compliance value.</param>
/// <param name="SourcedCharge">
/// The charge the instrument has passed since it started counting, signed as the current (positive out of HI), for an
/// instrument that integrates its current in hardware (a coulometer; the simulated SMU, from its cell's ledger); null
/// for one that only samples. Between two readings its difference is the exact charge of the interval, where the
/// trapezoid on two samples cannot see a current that collapsed inside it (an electrode running empty at a cut-off).
/// </param>
public readonly record struct PotentiostatReading(
    DateTimeOffset Timestamp,
    ElectricPotential Voltage,
    ElectricCurrent Current,
    bool OutputOn,
    bool InCompliance,
    ElectricCharge? SourcedCharge = null);
