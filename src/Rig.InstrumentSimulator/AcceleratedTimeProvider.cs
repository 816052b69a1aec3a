namespace Rig.InstrumentSimulator;

/// <summary>
/// Rig time that runs <c>speed</c> times faster than the wall clock, so a simulated cell goes through a
/// plating step of an hour in a minute while the driver talks to it at its normal pace over a real socket.
/// </summary>
public sealed class AcceleratedTimeProvider : TimeProvider
{
    private readonly TimeProvider _wall;
    private readonly DateTimeOffset _start;
    private readonly double _speed;

    public AcceleratedTimeProvider(TimeProvider wall, double speed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(speed, 1.0);
        _wall = wall;
        _speed = speed;
        _start = wall.GetUtcNow();
    }

    public override DateTimeOffset GetUtcNow() => _start + (_wall.GetUtcNow() - _start) * _speed;
}
