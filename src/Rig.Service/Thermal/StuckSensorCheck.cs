using System.Globalization;
using Rig.Service.Configuration;

namespace Rig.Service.Thermal;

/// <summary>
/// Catches a sensor that keeps answering with fresh timestamps but no longer measures (a hung converter repeating
/// its last value, a probe whose reading stopped following the block), which the cut-off and the runaway check
/// cannot see because they read the same sensor. Two rules, both from what a real reading must do:
/// <list type="number">
/// <item>Noise: over <see cref="ThermalSafetyOptions.StuckWindow"/> the readings must spread by more than
/// <see cref="ThermalSafetyOptions.StuckSpreadKelvin"/>. A real RTD or thermocouple read every second never repeats
/// the same value for minutes.</item>
/// <item>Energy: the heater's power must move the reading. When the (30 s smoothed) reading has held within
/// <see cref="ThermalSafetyOptions.StuckResponseKelvin"/> for a whole <see cref="ThermalSafetyOptions.StuckResponseTime"/>,
/// the mean duty over that time is the duty that holds this temperature (the anchor). If, with the reading still held,
/// the mean duty over the last response time then differs from the anchor by
/// <see cref="ThermalSafetyOptions.StuckDutyStep"/> or more (several watts more or less, for minutes), the reading is
/// not answering the power. A move of the reading by more than <see cref="RebaseKelvin"/> makes a new anchor.</item>
/// </list>
/// Fed once per control period with the reading and the duty that was applied up to it. Not thread-safe:
/// <see cref="ThermalSafety"/> calls it under its lock.
/// </summary>
public sealed class StuckSensorCheck
{
    private readonly ThermalSafetyOptions _options;
    private readonly Queue<(DateTimeOffset Time, double Celsius)> _window = new();
    private readonly Queue<(DateTimeOffset Time, double Duty)> _duties = new();
    private double _dutySum;
    private double? _smoothed;
    private DateTimeOffset _lastTime;
    private (double Celsius, DateTimeOffset Time)? _steadySince;
    private (double Celsius, double Duty, DateTimeOffset Time)? _anchor;

    public StuckSensorCheck(ThermalSafetyOptions options) => _options = options ?? throw new ArgumentNullException(nameof(options));

    /// <summary>Smoothing of the reading for rule 2, s: long enough to average the noise, short against the response time.</summary>
    public static readonly TimeSpan Smoothing = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A move of the reading this large makes a new holding duty (re-learnt after it holds still again), K. Smaller
    /// moves change the holding duty by little (1 K is ~1/80 of full power on the simulated block), so they keep it:
    /// a frozen reading that jumped a few tenths away from the truth is still judged against the duty that held the block.
    /// </summary>
    public const double RebaseKelvin = 1.0;

    /// <summary>Null while plausible; else why the reading looks stuck.</summary>
    public string? Observe(DateTimeOffset time, double celsius, double duty)
    {
        if (time <= _lastTime)
        {
            return null; // the same reading seen twice: no new information
        }
        var dt = _smoothed is null ? 0 : (time - _lastTime).TotalSeconds;
        _lastTime = time;
        return Flat(time, celsius) ?? Unanswered(time, celsius, duty, dt);
    }

    public void Reset()
    {
        _window.Clear();
        _duties.Clear();
        _dutySum = 0;
        _smoothed = null;
        _anchor = null;
        _steadySince = null;
        _lastTime = default;
    }

    private string? Flat(DateTimeOffset time, double celsius)
    {
        _window.Enqueue((time, celsius));
        while (_window.Count > 1 && time - _window.Peek().Time > _options.StuckWindow)
        {
            _window.Dequeue();
        }
        if (time - _window.Peek().Time < _options.StuckWindow * 0.99)
        {
            return null; // not yet a full window
        }
        var min = double.MaxValue;
        var max = double.MinValue;
        foreach (var (_, c) in _window)
        {
            min = Math.Min(min, c);
            max = Math.Max(max, c);
        }
        return max - min <= _options.StuckSpreadKelvin
            ? string.Create(CultureInfo.InvariantCulture,
                $"reading frozen at {celsius:0.###} °C: spread {max - min:0.####} K over {_options.StuckWindow.TotalSeconds:0} s, where a live sensor shows noise")
            : null;
    }

    private string? Unanswered(DateTimeOffset time, double celsius, double duty, double dt)
    {
        var alpha = dt <= 0 ? 1 : 1 - Math.Exp(-dt / Smoothing.TotalSeconds);
        _smoothed = _smoothed is { } s ? s + alpha * (celsius - s) : celsius;
        _duties.Enqueue((time, duty));
        _dutySum += duty;
        while (_duties.Count > 1 && time - _duties.Peek().Time > _options.StuckResponseTime)
        {
            _dutySum -= _duties.Dequeue().Duty;
        }
        var meanDuty = _dutySum / _duties.Count;
        var band = _options.StuckResponseKelvin;
        if (_steadySince is not { } since || Math.Abs(_smoothed.Value - since.Celsius) >= band)
        {
            _steadySince = since = (_smoothed.Value, time); // the reading moved: the sensor answered
        }
        if (_anchor is { } old && Math.Abs(_smoothed.Value - old.Celsius) >= RebaseKelvin)
        {
            _anchor = null; // a new temperature needs a new holding duty (set-point change, autotune)
        }
        if (time - since.Time < _options.StuckResponseTime)
        {
            return null;
        }
        if (_anchor is not { } anchor)
        {
            // Still for a whole response time: the mean duty over it is what holds this temperature.
            _anchor = (_smoothed.Value, meanDuty, time);
            return null;
        }
        var step = meanDuty - anchor.Duty;
        if (Math.Abs(step) < _options.StuckDutyStep)
        {
            if (Math.Abs(step) < _options.StuckDutyStep / 3 && time - anchor.Time > 3 * _options.StuckResponseTime)
            {
                _anchor = (anchor.Celsius, meanDuty, time); // let the holding duty follow slow load changes (the room)
            }
            return null;
        }
        return string.Create(CultureInfo.InvariantCulture,
            $"reading does not follow the heater: mean duty {(step > 0 ? "up" : "down")} {Math.Abs(step) * 100:0}% of full power for {_options.StuckResponseTime.TotalMinutes:0.#} min, reading held within {band:0.##} K at {_smoothed.Value:0.##} °C (it must move when the power changes this much)");
    }
}
