using Rig.Drivers.TemperatureSensors;
using UnitsNet;

namespace Rig.Service.Thermal;

/// <summary>
/// A positional PID for one heater, after Klipper's ControlPID (klippy/extras/heaters.py), stepped by the
/// sensor reading's own timestamp (never a wall clock):
/// - derivative on the measurement (no kick when the setpoint moves), smoothed by an exponential moving
///   average with time constant <c>smoothing</c> (Klipper smooth_time);
/// - integral by the trapezoidal rule, kept as a duty contribution clamped to [0, max power] (Klipper clamps the
///   sum to [0, max_power/Ki]); while the output is saturated it is only stored if it pulls out of saturation
///   (conditional integration: no wind-up on the way up from room temperature);
/// - bumpless: because the integral is stored in duty units, new gains do not step the output, and a new
///   setpoint restarts the trapezoid from the new error instead of averaging across the step.
/// Not thread-safe: the zone controller serialises calls.
/// </summary>
public sealed class PidController
{
    private readonly double _maxPower;
    private readonly double _smoothingSeconds;
    private PidGains _gains;
    private DateTimeOffset? _previousTime;
    private double _previousCelsius;
    private double _previousError;
    private double _previousSetpointCelsius = double.NaN;
    private double _smoothedRateKelvinPerSecond;
    private double _integralDuty;

    public PidController(PidGains gains, Ratio maxPower, TimeSpan derivativeSmoothing)
    {
        _gains = gains ?? throw new ArgumentNullException(nameof(gains));
        _maxPower = Math.Clamp(maxPower.DecimalFractions, 0, 1);
        _smoothingSeconds = Math.Max(0, derivativeSmoothing.TotalSeconds);
    }

    public PidGains Gains => _gains;

    /// <summary>Smoothed measured rate of change, K/s (Klipper prev_der, negated).</summary>
    public double RateKelvinPerSecond => _smoothedRateKelvinPerSecond;

    /// <summary>The integral's share of the output now.</summary>
    public Ratio IntegralShare => Ratio.FromDecimalFractions(_integralDuty);

    public void SetGains(PidGains gains) => _gains = gains ?? throw new ArgumentNullException(nameof(gains));

    /// <summary>Forget history (after a fault or a hand-over from autotune); the next update starts fresh.</summary>
    public void Reset()
    {
        _previousTime = null;
        _smoothedRateKelvinPerSecond = 0;
        _integralDuty = 0;
        _previousSetpointCelsius = double.NaN;
    }

    /// <summary>The duty for this reading, in [0, max power].</summary>
    public Ratio Update(TemperatureReading reading, Temperature setpoint)
    {
        var celsius = reading.Temperature.DegreesCelsius;
        var setpointCelsius = setpoint.DegreesCelsius;
        var error = setpointCelsius - celsius;
        if (_previousTime is not { } previousTime || reading.Timestamp <= previousTime)
        {
            // first reading, or a repeated one: no interval to integrate or differentiate over
            var first = _previousTime is null;
            Remember(reading.Timestamp, celsius, error, setpointCelsius);
            if (first)
            {
                _smoothedRateKelvinPerSecond = 0;
            }
            return Output(error, _integralDuty);
        }
        var dtSeconds = (reading.Timestamp - previousTime).TotalSeconds;
        var previousError = setpointCelsius == _previousSetpointCelsius ? _previousError : error;
        var rawRate = (celsius - _previousCelsius) / dtSeconds;
        var alpha = dtSeconds / (dtSeconds + _smoothingSeconds);
        _smoothedRateKelvinPerSecond += (rawRate - _smoothedRateKelvinPerSecond) * alpha;

        var integralStep = _gains.IntegralPerKelvinSecond * (previousError + error) / 2 * dtSeconds;
        var integral = Math.Clamp(_integralDuty + integralStep, 0, _maxPower);
        var unclamped = _gains.ProportionalPerKelvin * error + integral - _gains.DerivativeSecondsPerKelvin * _smoothedRateKelvinPerSecond;
        var saturatedHigh = unclamped > _maxPower;
        var saturatedLow = unclamped < 0;
        if ((!saturatedHigh && !saturatedLow) || (saturatedHigh && integralStep < 0) || (saturatedLow && integralStep > 0))
        {
            _integralDuty = integral;
        }
        Remember(reading.Timestamp, celsius, error, setpointCelsius);
        return Ratio.FromDecimalFractions(Math.Clamp(unclamped, 0, _maxPower));
    }

    private Ratio Output(double error, double integralDuty) => Ratio.FromDecimalFractions(Math.Clamp(
        _gains.ProportionalPerKelvin * error + integralDuty - _gains.DerivativeSecondsPerKelvin * _smoothedRateKelvinPerSecond, 0, _maxPower));

    private void Remember(DateTimeOffset timestamp, double celsius, double error, double setpointCelsius)
    {
        _previousTime = timestamp;
        _previousCelsius = celsius;
        _previousError = error;
        _previousSetpointCelsius = setpointCelsius;
    }
}
