namespace Rig.Service.Channels;

/// <summary>The rig clock's monotonic time as a <see cref="TimeSpan"/> from an arbitrary origin (meaningful only as differences within one process).</summary>
public static class MonotonicTime
{
    public static TimeSpan Now(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return time.GetElapsedTime(0, time.GetTimestamp());
    }
}
