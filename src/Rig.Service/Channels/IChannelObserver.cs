using Rig.Drivers.Faults;

namespace Rig.Service.Channels;

/// <summary>
/// Consumes what a channel loop produces, on the loop's own task, in order. Downstream of the channel state:
/// the cycling engine, the store, the pressure supervisor. Must be quick; must not throw for ordinary data.
/// </summary>
public interface IChannelObserver
{
    /// <summary>A new sample was taken and recorded in <see cref="RigState"/>.</summary>
    ValueTask OnSampleAsync(ChannelSample sample, CancellationToken cancellationToken);

    /// <summary>A device of the channel failed; the loop has already tried to turn the output off.</summary>
    ValueTask OnFaultAsync(string channelId, HardwareFault fault, CancellationToken cancellationToken);
}
