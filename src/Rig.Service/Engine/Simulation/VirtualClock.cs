namespace Rig.Service.Engine.Simulation;

/// <summary>
/// A clock that moves only when told (a dry run's twin lives on it). Only <see cref="GetUtcNow"/> is virtual:
/// nothing on a dry run's path sets timers.
/// </summary>
internal sealed class VirtualClock : TimeProvider
{
    private DateTimeOffset _now;

    public VirtualClock(DateTimeOffset start)
    {
        _now = start;
    }

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;

    /// <summary>Back to a time it showed before (a dry run going back to approach a step's end in finer samples).</summary>
    public void Rewind(DateTimeOffset to) => _now = to;
}
