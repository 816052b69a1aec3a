using UnitsNet;

namespace Rig.Service.Channels;

/// <summary>
/// One synchronous look at a channel: what the instrument measured, the clamp's force and the stack pressure it
/// means on this cell, and the zone's temperature. Sensors that failed this time are null (and raised a fault).
/// <paramref name="Timestamp"/> is wall time, for the record only; <paramref name="Monotonic"/> is the rig clock's
/// monotonic time (<see cref="TimeProvider.GetTimestamp"/>, see <see cref="MonotonicTime"/>), the only clock charge
/// is integrated on, so a wall-clock jump (NTP, an operator setting the date) moves no coulomb.
/// <paramref name="SourcedCharge"/> is the instrument's own charge count when it has one
/// (<see cref="Rig.Drivers.Potentiostats.PotentiostatReading.SourcedCharge"/>).
/// </summary>
public readonly record struct ChannelSample(
    string ChannelId,
    DateTimeOffset Timestamp,
    ElectricPotential Voltage,
    ElectricCurrent Current,
    bool OutputOn,
    bool InCompliance,
    Force? Force,
    Pressure? StackPressure,
    Temperature? Temperature,
    TimeSpan Monotonic,
    ElectricCharge? SourcedCharge = null);
