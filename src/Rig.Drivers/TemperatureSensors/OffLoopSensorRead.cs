using Rig.Drivers.Faults;

namespace Rig.Drivers.TemperatureSensors;

/// <summary>
/// Runs a blocking binding call (Max31865 sleeps ~75 ms per conversion inside its Temperature getter; an I2C
/// transfer to a dead MCP9600 can hang) on the thread pool and bounds it with a time-out on the rig clock, so
/// the zone's control loop never waits longer than the time-out. A call that hangs stays in flight: the next
/// read is refused at once (a binding is not re-entrant) until it finishes.
/// </summary>
public sealed class OffLoopSensorRead
{
    private readonly string _device;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly string _whatToCheck;
    private Task? _inFlight;

    public OffLoopSensorRead(string device, TimeSpan timeout, TimeProvider time, string whatToCheck)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        _device = device;
        _timeout = timeout;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _whatToCheck = whatToCheck;
    }

    public async ValueTask<T> RunAsync<T>(Func<T> blockingRead, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blockingRead);
        if (_inFlight is { IsCompleted: false })
        {
            throw Fault(FaultKind.DeviceTimeout, "the previous read has not returned yet", null);
        }
        var read = Task.Run(blockingRead, CancellationToken.None);
        _inFlight = read;
        try
        {
            return await read.WaitAsync(_timeout, _time, cancellationToken);
        }
        catch (TimeoutException ex)
        {
            throw Fault(FaultKind.DeviceTimeout, $"no reading within {_timeout.TotalSeconds:0.###} s", ex);
        }
        catch (HardwareFaultException)
        {
            throw;
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            throw Fault(FaultKind.DeviceNotResponding, ex.Message, ex);
        }
    }

    private HardwareFaultException Fault(FaultKind kind, string message, Exception? inner) =>
        new(new HardwareFault(kind, _device, message, _whatToCheck), inner);
}
