using Rig.Drivers.Potentiostats;

namespace Rig.Service.Tests.Support;

/// <summary>Each measurement takes <paramref name="delay"/> of rig time (within the device time-out): slow, not stuck.</summary>
internal sealed class SlowInstrument(IPotentiostatChannel inner, TimeProvider time, TimeSpan delay) : DelegatingInstrument(inner)
{
    private int _answered;
    private volatile bool _waiting;

    public int Answered => Volatile.Read(ref _answered);

    /// <summary>True while a measurement waits on the clock.</summary>
    public bool Waiting => _waiting;

    public override async ValueTask<PotentiostatReading> MeasureAsync(CancellationToken cancellationToken)
    {
        var answer = Task.Delay(delay, time, cancellationToken);
        _waiting = true;
        try
        {
            await answer;
        }
        finally
        {
            _waiting = false;
        }
        Interlocked.Increment(ref _answered);
        return await base.MeasureAsync(cancellationToken);
    }
}
