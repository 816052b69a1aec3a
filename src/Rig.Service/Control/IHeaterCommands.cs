using UnitsNet;

namespace Rig.Service.Control;

/// <summary>
/// What the MQTT "set-heater" command needs from the heater area. Optional: when no implementation is
/// registered the command answers "not available on this rig". Thread-safe; validates and refuses with why.
/// </summary>
public interface IHeaterCommands
{
    Task<CommandResult> SetSetpointAsync(string zoneId, Temperature setpoint, CancellationToken cancellationToken);
}
