using Rig.Service.Configuration;

namespace Rig.Service.Thermal;

/// <summary>
/// Klipper's verify_heater check (klippy/extras/verify_heater.py), one call per watcher pass: within
/// target - hysteresis the zone is in range and the checks reset; below it, an error integral
/// (target - hysteresis - T per second) accumulates unless the temperature is still approaching the target
/// by heating_gain every check_gain_time; the zone fails when the integral reaches max_error.
/// Not thread-safe: <see cref="ThermalSafety"/> serialises calls.
/// </summary>
internal sealed class VerifyHeater
{
    private readonly ThermalSafetyOptions _options;
    private DateTimeOffset? _lastCheck;
    private double _lastTarget = double.NaN;
    private bool _approaching;
    private bool _startingApproach;
    private double _goalCelsius;
    private DateTimeOffset _goalTime;
    private double _errorKelvinSeconds;

    public VerifyHeater(ThermalSafetyOptions options)
    {
        _options = options;
    }

    public void Reset()
    {
        _lastCheck = null;
        _lastTarget = double.NaN;
        _approaching = _startingApproach = false;
        _errorKelvinSeconds = 0;
    }

    /// <summary>True when the heater is "not heating at expected rate".</summary>
    public bool Check(DateTimeOffset now, double celsius, double targetCelsius)
    {
        var dtSeconds = _lastCheck is { } last ? Math.Min((now - last).TotalSeconds, 10) : 1;
        _lastCheck = now;
        var hysteresis = _options.HysteresisKelvin;
        if (celsius >= targetCelsius - hysteresis)
        {
            _approaching = _startingApproach = false;
            if (celsius <= targetCelsius + hysteresis)
            {
                _errorKelvinSeconds = 0;
            }
            _lastTarget = targetCelsius;
            return false;
        }
        _errorKelvinSeconds += (targetCelsius - hysteresis - celsius) * dtSeconds;
        var failed = false;
        if (!_approaching)
        {
            if (targetCelsius != _lastTarget)
            {
                _approaching = _startingApproach = true;
                _goalCelsius = celsius + _options.HeatingGainKelvin;
                _goalTime = now + _options.CheckGainTime;
            }
            else if (_errorKelvinSeconds >= _options.MaxErrorKelvinSeconds)
            {
                failed = true;
            }
        }
        else if (celsius >= _goalCelsius)
        {
            _startingApproach = false;
            _errorKelvinSeconds = 0;
            _goalCelsius = celsius + _options.HeatingGainKelvin;
            _goalTime = now + _options.CheckGainTime;
        }
        else if (now >= _goalTime)
        {
            _approaching = false;
        }
        else if (_startingApproach)
        {
            _goalCelsius = Math.Min(_goalCelsius, celsius + _options.HeatingGainKelvin);
        }
        _lastTarget = targetCelsius;
        return failed;
    }
}
