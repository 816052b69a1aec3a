namespace Rig.Service.Store;

/// <summary>
/// Which samples to keep: the first of a test and of every step, every step end, one at least every
/// RecordPeriod, and any whose voltage or current moved beyond the thresholds since the last kept one
/// (Arbin's "smart data logging", EC-Lab's dE/dI recording). Not thread-safe: one per channel loop.
/// </summary>
public sealed class RecordingPolicy
{
    private readonly TimeSpan _period;
    private readonly double _deltaVolts;
    private readonly double _deltaAmperes;
    private string? _testId;
    private int _stepIndex = -1;
    private DateTimeOffset _lastKeptAt;
    private double _lastVolts;
    private double _lastAmperes;

    public RecordingPolicy(StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _period = options.RecordPeriod;
        _deltaVolts = options.RecordDeltaVoltageMillivolts / 1000.0;
        _deltaAmperes = options.RecordDeltaCurrentMilliamps / 1000.0;
    }

    public bool ShouldKeep(string testId, DateTimeOffset at, int stepIndex, double voltageVolts, double currentAmperes, bool stepEnd)
    {
        var keep = stepEnd
            || !string.Equals(testId, _testId, StringComparison.Ordinal)
            || stepIndex != _stepIndex
            || at - _lastKeptAt >= _period
            || (_deltaVolts > 0 && Math.Abs(voltageVolts - _lastVolts) >= _deltaVolts)
            || (_deltaAmperes > 0 && Math.Abs(currentAmperes - _lastAmperes) >= _deltaAmperes);
        if (keep)
        {
            _testId = testId;
            _stepIndex = stepIndex;
            _lastKeptAt = at;
            _lastVolts = voltageVolts;
            _lastAmperes = currentAmperes;
        }
        return keep;
    }
}
