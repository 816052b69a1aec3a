
namespace Rig.Service.Control;

/// <summary>
/// What the "clear-fault" command needs from the safety area: clear a latched fault once the operator has
/// checked the cause. Optional: absent means "not available on this rig". Thread-safe.
/// </summary>
public interface IFaultCommands
{
    /// <summary>Clears the channel's latched faults (of one device, or all when <paramref name="device"/> is null).</summary>
    Task<CommandResult> ClearLatchedFaultAsync(string channelId, string? device, CancellationToken cancellationToken);
}
