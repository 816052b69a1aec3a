namespace Rig.Service.Configuration;

/// <summary>
/// PID gains of a zone, in duty fraction (0..1 of full heater power) per unit of error. Klipper's pid_Kp etc.
/// are the same numbers x 255. Defaults suit the simulated die block (20 W, 150 J/K, 4 K/W, 4 s probe lag): chosen by a sweep on
/// the simulated plant through the 2 s time-proportioned output (docs/heater.md): 22 -> 40 °C with 0.05 K overshoot, settled
/// ±0.1 K in 3.5 min, a 60 s door-open 0.28 K off; every neighbour in the sweep grid also meets the figures.
/// </summary>
public sealed class PidGainsOptions
{
    /// <summary>Duty per kelvin of error.</summary>
    public double ProportionalPerKelvin { get; set; } = 0.8;

    /// <summary>Duty per kelvin-second of accumulated error.</summary>
    public double IntegralPerKelvinSecond { get; set; } = 0.004;

    /// <summary>Duty per kelvin/second of (smoothed) measured rate of change.</summary>
    public double DerivativeSecondsPerKelvin { get; set; } = 9.0;

    /// <summary>Time constant of the measurement smoothing the derivative uses, s (Klipper smooth_time).</summary>
    public double DerivativeSmoothingSeconds { get; set; } = 4.0;
}

/// <summary>Thermal safety thresholds (Klipper verify_heater names and defaults, bed-like gain time).</summary>
public sealed class ThermalSafetyOptions
{
    /// <summary>Below target by more than this the zone is "below range" and its error integral grows, K.</summary>
    public double HysteresisKelvin { get; set; } = 5;

    /// <summary>Below-range error integral that trips "not heating at expected rate", K·s.</summary>
    public double MaxErrorKelvinSeconds { get; set; } = 120;

    /// <summary>While approaching a new target the temperature must rise this much ...</summary>
    public double HeatingGainKelvin { get; set; } = 2;

    /// <summary>... within this time.</summary>
    public TimeSpan CheckGainTime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Above target by more than this: runaway (a welded SSR), heater off and latched, K.</summary>
    public double RunawayMarginKelvin { get; set; } = 5;

    /// <summary>A reading older than this is stale: a sensor fault.</summary>
    public TimeSpan MaxReadingAge { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>If the control loop has not run for this long the heater goes off (Klipper: 5 s).</summary>
    public TimeSpan LoopStallTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Stuck sensor, rule 1: readings that vary by no more than <see cref="StuckSpreadKelvin"/> for this long are
    /// frozen (a hung converter repeating its last value with fresh timestamps). A real RTD/thermocouple at 1 s
    /// sampling shows noise well within this; a sensor quieter than its resolution needs a longer window.
    /// </summary>
    public TimeSpan StuckWindow { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Peak-to-peak spread at or under which readings count as identical, K.</summary>
    public double StuckSpreadKelvin { get; set; } = 0.001;

    /// <summary>
    /// Stuck sensor, rule 2: when the heater's mean duty over <see cref="StuckResponseTime"/> differs by at least
    /// this fraction of full power from the duty when the reading last moved, ...
    /// </summary>
    public double StuckDutyStep { get; set; } = 0.3;

    /// <summary>... for this long, ...</summary>
    public TimeSpan StuckResponseTime { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>... the smoothed reading must have moved at least this far in that direction, K.</summary>
    public double StuckResponseKelvin { get; set; } = 0.1;

    /// <summary>How often the watcher checks, independent of the control loop.</summary>
    public TimeSpan CheckPeriod { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>Relay autotune (Klipper pid_calibrate): full power below the band, off above it.</summary>
public sealed class RelayAutotuneOptions
{
    /// <summary>The relay switches on below target - this and off at target, K (Klipper TUNE_PID_DELTA = 5).</summary>
    public double HysteresisKelvin { get; set; } = 2;

    /// <summary>Peaks to record before proposing gains (Klipper: 12).</summary>
    public int Peaks { get; set; } = 12;

    /// <summary>Give up (heater off, nothing proposed) after this long.</summary>
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromHours(3);
}
