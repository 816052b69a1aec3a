namespace Rig.Service.Timing;

/// <summary>The due-time and period rules of <see cref="ITimer"/> as the system timers apply them.</summary>
internal static class TimerArguments
{
    /// <summary>The longest due time or period the system timers accept: 0xFFFFFFFE ms.</summary>
    internal const long MaxMilliseconds = 0xFFFFFFFE;

    /// <summary>Throws as <see cref="TimeProvider.System"/> does: below −1 ms or above <see cref="MaxMilliseconds"/>, by whole milliseconds.</summary>
    internal static void Validate(TimeSpan dueTime, TimeSpan period)
    {
        Check(dueTime, nameof(dueTime));
        Check(period, nameof(period));
    }

    /// <summary>Infinite as the system reads it: −1 ms after truncation to whole milliseconds.</summary>
    internal static bool IsInfinite(TimeSpan value) => (long)value.TotalMilliseconds == -1;

    /// <summary>
    /// A period the system reads as "not periodic": infinite, or under one whole millisecond (it truncates to 0 ms). A
    /// sub-millisecond period kept would make a timer due again before its callback could run.
    /// </summary>
    internal static bool IsOneShot(TimeSpan period) => (long)period.TotalMilliseconds is -1 or 0;

    private static void Check(TimeSpan value, string name)
    {
        var milliseconds = (long)value.TotalMilliseconds;
        ArgumentOutOfRangeException.ThrowIfLessThan(milliseconds, -1, name);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(milliseconds, MaxMilliseconds, name);
    }
}
