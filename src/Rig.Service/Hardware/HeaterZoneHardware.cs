using Rig.Drivers.Heaters;
using Rig.Drivers.TemperatureSensors;
using Rig.Service.Configuration;

namespace Rig.Service.Hardware;

/// <summary>The devices of one heater zone. The zone's control loop is their only user.</summary>
public sealed record HeaterZoneHardware(string Id, HeaterZoneOptions Options, ITemperatureSensor Sensor, IHeaterOutput Heater);
