namespace Rig.Drivers.LoadCells.Nau7802;

/// <summary>How one NAU7802 is set up, and how long each of its waits may take.</summary>
public sealed record Nau7802Settings
{
    public Nau7802Gain Gain { get; init; } = Nau7802Gain.X128;

    public Nau7802SampleRate SampleRate { get; init; } = Nau7802SampleRate.Sps80;

    /// <summary>PUR is set about 200 µs after PUD (datasheet 9.1); anything beyond this is a dead chip.</summary>
    public TimeSpan PowerUpTimeout { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The internal LDO and the bridge settle before calibration (SparkFun waits 250-600 ms).</summary>
    public TimeSpan LdoSettleTime { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Internal offset calibration takes a few conversions; SparkFun gives it 1 s.</summary>
    public TimeSpan CalibrationTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long CR may stay clear beyond one conversion period before the read is a time-out.</summary>
    public TimeSpan ConversionMargin { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Between two polls of a status bit.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>Conversions thrown away after calibration: the first results after a configuration change are not settled.</summary>
    public int DiscardedReadings { get; init; } = 2;

    /// <summary>CR must appear within one conversion period plus the margin.</summary>
    public TimeSpan ConversionTimeout =>
        TimeSpan.FromSeconds(1.0 / SampleRate.SamplesPerSecond()) + ConversionMargin;
}
