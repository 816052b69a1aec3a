using Rig.Drivers.DigitalInputs;

namespace Rig.Service.Hardware;

/// <summary>Every device of the rig, composed from configuration once at start-up.</summary>
public sealed class RigHardware : IAsyncDisposable
{
    public RigHardware(
        IReadOnlyDictionary<string, ChannelHardware> channels,
        IReadOnlyDictionary<string, HeaterZoneHardware> zones,
        IDigitalInput? emergencyStop,
        SimulatedDevices simulation)
    {
        Channels = channels;
        Zones = zones;
        EmergencyStop = emergencyStop;
        Simulation = simulation;
    }

    public IReadOnlyDictionary<string, ChannelHardware> Channels { get; }

    public IReadOnlyDictionary<string, HeaterZoneHardware> Zones { get; }

    public IDigitalInput? EmergencyStop { get; }

    public SimulatedDevices Simulation { get; }

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in Channels.Values)
        {
            await channel.Instrument.DisposeAsync();
            channel.LeadSwitch.Dispose(); // drives the relay de-energised (SMU side) before closing the line
            if (channel.ForceSensor is IDisposable disposableSensor)
            {
                disposableSensor.Dispose();
            }
        }
        foreach (var zone in Zones.Values)
        {
            (zone.Sensor as IDisposable)?.Dispose();
            (zone.Heater as IDisposable)?.Dispose();
            (zone.CutOut as IDisposable)?.Dispose();
        }
        (EmergencyStop as IDisposable)?.Dispose();
    }
}
