using UnitsNet;

namespace Rig.Service.Control;

/// <summary>
/// What the "tare-clamp" and "calibrate-clamp" commands need from the load-cell area. Optional: absent means
/// "not available on this rig". Thread-safe; validates and refuses with why.
/// </summary>
public interface IClampCommands
{
    /// <summary>Zeroes the channel's load cell (clamp unloaded).</summary>
    Task<CommandResult> TareAsync(string channelId, CancellationToken cancellationToken);

    /// <summary>Sets the span from a known reference force applied now.</summary>
    Task<CommandResult> CalibrateAsync(string channelId, Force referenceForce, CancellationToken cancellationToken);
}
