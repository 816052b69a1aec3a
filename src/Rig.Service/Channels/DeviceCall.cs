using Rig.Drivers.Faults;

namespace Rig.Service.Channels;

/// <summary>
/// Bounds every hardware call with a time-out on the rig clock: a driver that hangs (a binding that waits for
/// data-ready forever, a socket with no answer) becomes a <see cref="FaultKind.DeviceTimeout"/> fault instead
/// of a stalled loop.
/// </summary>
public static class DeviceCall
{
    public static async ValueTask<T> WithTimeout<T>(
        Func<CancellationToken, ValueTask<T>> call,
        string device,
        TimeSpan timeout,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pending = call(deadline.Token);
        if (pending.IsCompleted)
        {
            return await pending; // simulated and cached devices answer synchronously: no timer needed
        }
        try
        {
            return await pending.AsTask().WaitAsync(timeout, time, cancellationToken);
        }
        catch (TimeoutException ex)
        {
            await deadline.CancelAsync(); // tell a cooperative driver to give up
            throw new HardwareFaultException(new HardwareFault(
                FaultKind.DeviceTimeout, device, $"no answer within {timeout.TotalSeconds:0.###} s", "the device's power, cable and bus"), ex);
        }
    }

    public static ValueTask WithTimeout(
        Func<CancellationToken, ValueTask> call,
        string device,
        TimeSpan timeout,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        return new ValueTask(WithTimeout(async ct => { await call(ct); return true; }, device, timeout, time, cancellationToken).AsTask());
    }
}
