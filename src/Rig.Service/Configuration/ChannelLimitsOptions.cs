namespace Rig.Service.Configuration;

/// <summary>
/// The ceilings of one channel (<c>Rig:Channels:&lt;id&gt;:Limits</c>) that no protocol's safety block may exceed,
/// whatever the instrument could do: what the cell holder, its wiring and the lab's rules allow. Unset = the
/// instrument's own range (its <c>InstrumentCapabilities</c>). Checked when a test starts; a protocol beyond them is
/// refused naming the key.
/// </summary>
public sealed class ChannelLimitsOptions
{
    /// <summary>Largest |current| a test may source or allow on this channel, mA.</summary>
    public double? MaxCurrentMilliamps { get; set; }

    /// <summary>Largest |voltage| of a test's safety window on this channel, V.</summary>
    public double? MaxVoltageVolts { get; set; }

    /// <summary>Longest time any one step may run: its time-out (its own or the protocol's stepTimeout) must not exceed it.</summary>
    public TimeSpan? MaxStepDuration { get; set; }

    /// <summary>
    /// Longest a test may run at worst: every step to its time-out, every loop to its repeat count. A protocol whose
    /// worst case is longer is refused (the ceiling is guaranteed, not hoped for).
    /// </summary>
    public TimeSpan? MaxTestDuration { get; set; }

    /// <summary>Largest capacity one step may pass before it ends, mAh (plate, strip, charge, discharge).</summary>
    public double? MaxStepCapacityMilliampHours { get; set; }

    public void Validate(string key, ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (MaxCurrentMilliamps is { } current)
        {
            errors.InRange($"{key}:MaxCurrentMilliamps", current, 0.001, 100_000, "mA");
        }
        if (MaxVoltageVolts is { } voltage)
        {
            errors.InRange($"{key}:MaxVoltageVolts", voltage, 0.01, 1_000, "V");
        }
        if (MaxStepDuration is { } step)
        {
            errors.PositiveDuration($"{key}:MaxStepDuration", step, TimeSpan.FromDays(366));
        }
        if (MaxTestDuration is { } test)
        {
            errors.PositiveDuration($"{key}:MaxTestDuration", test, TimeSpan.FromDays(3660));
        }
        if (MaxStepCapacityMilliampHours is { } capacity)
        {
            errors.InRange($"{key}:MaxStepCapacityMilliampHours", capacity, 0.001, 1_000_000, "mAh");
        }
    }
}
