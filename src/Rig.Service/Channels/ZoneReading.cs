using UnitsNet;

namespace Rig.Service.Channels;

/// <summary>The latest state of a heater zone as its loop last saw it.</summary>
public readonly record struct ZoneReading(string ZoneId, DateTimeOffset Timestamp, Temperature Temperature, Ratio HeaterDuty, Temperature Setpoint);
