using UnitsNet;

namespace Rig.Drivers.TemperatureSensors;

/// <summary>One temperature reading and when it was taken (rig clock): control loops use the timestamp, not their own clock.</summary>
public readonly record struct TemperatureReading(DateTimeOffset Timestamp, Temperature Temperature);
