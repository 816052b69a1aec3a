using Rig.Drivers.DigitalInputs;
using Rig.Drivers.Heaters;
using Rig.Drivers.TemperatureSensors;
using Rig.Service.Configuration;

namespace Rig.Service.Hardware;

/// <summary>
/// The devices of one heater zone. The zone's control loop is their only user; <paramref name="CutOut"/> (the
/// block's thermal cut-out switch, when fitted) is read by its safety watcher.
/// </summary>
public sealed record HeaterZoneHardware(string Id, HeaterZoneOptions Options, ITemperatureSensor Sensor, IHeaterOutput Heater, IDigitalInput? CutOut = null);
