using Rig.Drivers.TemperatureSensors;
using UnitsNet;

namespace Rig.Service.Thermal;

/// <summary>
/// Relay autotune after Klipper's ControlAutoTune (klippy/extras/pid_calibrate.py): full power until the
/// temperature reaches the target, off until it falls to target - hysteresis, recording the extreme of each
/// half-cycle. From the cycle of median period: Åström-Hägglund Ku and Tu (reported; <see cref="UltimateGain"/>) and
/// the block identified as an integrator with a lag and a dead time (<see cref="IntegratingProcess"/>), from which
/// SIMC gives the proposed gains (<see cref="GainsFor"/>, chosen by the heater bench through the 2 s time-proportioned
/// output; docs/heater.md). Proposes; the operator accepts. Not thread-safe: the zone controller serialises calls.
/// </summary>
public sealed class RelayAutotune
{
    private readonly double _targetCelsius;
    private readonly double _hysteresisKelvin;
    private readonly double _maxPower;
    private readonly int _peaksWanted;
    private readonly DateTimeOffset _giveUpAt;
    private readonly List<(double Celsius, DateTimeOffset Time)> _peaks = [];
    // when the relay switched into the half-cycle each peak belongs to (the first: when the tune began)
    private readonly List<DateTimeOffset> _halfCycleStarts = [];
    private DateTimeOffset _halfCycleStart;
    private bool _heating;
    private bool _started;
    private double _peakCelsius;
    private DateTimeOffset _peakTime;

    public RelayAutotune(Temperature target, double hysteresisKelvin, Ratio maxPower, int peaksWanted, DateTimeOffset startedAt, TimeSpan maxDuration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(peaksWanted, 6);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(hysteresisKelvin, 0);
        _targetCelsius = target.DegreesCelsius;
        _hysteresisKelvin = hysteresisKelvin;
        _maxPower = Math.Clamp(maxPower.DecimalFractions, 0, 1);
        _peaksWanted = peaksWanted;
        _giveUpAt = startedAt + maxDuration;
        Target = target;
        StartedAt = startedAt;
    }

    public Temperature Target { get; }

    /// <summary>Rig time the tune started.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>Peaks recorded so far (the first two are the approach from where it started, as in Klipper).</summary>
    public int PeaksRecorded => _peaks.Count;

    public bool IsComplete => !_heating && _peaks.Count >= _peaksWanted;

    /// <summary>True when <see cref="Update"/> saw a reading after the time limit without completing.</summary>
    public bool TimedOut { get; private set; }

    /// <summary>The relay's duty for this reading.</summary>
    public Ratio Update(TemperatureReading reading)
    {
        var celsius = reading.Temperature.DegreesCelsius;
        if (reading.Timestamp > _giveUpAt && !IsComplete)
        {
            TimedOut = true;
            return Ratio.Zero;
        }
        if (!_started)
        {
            _started = true;
            _heating = celsius < _targetCelsius;
            _peakCelsius = celsius;
            _peakTime = reading.Timestamp;
            _halfCycleStart = reading.Timestamp;
        }
        if (_heating && celsius >= _targetCelsius)
        {
            _heating = false;
            RecordPeak(celsius, reading.Timestamp);
        }
        else if (!_heating && celsius <= _targetCelsius - _hysteresisKelvin)
        {
            _heating = true;
            RecordPeak(celsius, reading.Timestamp);
        }
        if (_heating ? celsius < _peakCelsius : celsius > _peakCelsius)
        {
            _peakCelsius = celsius;
            _peakTime = reading.Timestamp;
        }
        return _heating ? Ratio.FromDecimalFractions(_maxPower) : Ratio.Zero;
    }

    /// <summary>The proposal from the cycle of median period; null until complete.</summary>
    public AutotuneProposal? Proposal()
    {
        if (!IsComplete)
        {
            return null;
        }
        var cycles = Enumerable.Range(4, _peaks.Count - 4)
            .Select(pos => (Period: _peaks[pos].Time - _peaks[pos - 2].Time, Pos: pos))
            .OrderBy(c => c.Period)
            .ToList();
        return ProposalAt(cycles[cycles.Count / 2].Pos, cycles.Count);
    }

    private void RecordPeak(double celsius, DateTimeOffset time)
    {
        _peaks.Add((_peakCelsius, _peakTime));
        _halfCycleStarts.Add(_halfCycleStart);
        _halfCycleStart = time;
        // the new half-cycle's extreme starts from here
        _peakCelsius = celsius;
        _peakTime = time;
    }

    private AutotuneProposal ProposalAt(int pos, int cycles)
    {
        var amplitudeKelvin = 0.5 * Math.Abs(_peaks[pos].Celsius - _peaks[pos - 1].Celsius);
        var ultimateGain = UltimateGain(amplitudeKelvin, _hysteresisKelvin / 2, _maxPower);
        var ultimatePeriod = _peaks[pos].Time - _peaks[pos - 2].Time;
        var model = IdentifyModel(pos);
        return new AutotuneProposal(
            GainsFor(model), ultimateGain, ultimatePeriod, amplitudeKelvin, cycles, _peaks[^1].Time, model);
    }

    /// <summary>
    /// The block as an integrator behind a first-order lag and a dead time, from one relay cycle (three extremes).
    /// Trough to peak the heater's power acted for as long as it was on (each extreme comes as long after its switch as
    /// the previous one did), so the rise rate is r = k·P − load and the fall rate f = load; k = (r + f)/P. The reading
    /// turns a while after each switch: a lag τ behind the block turns after τ·ln((r+f)/f) once the heater is off and
    /// τ·ln((r+f)/r) once it is on, plus the dead time d; the two measured turn times give τ and d.
    /// </summary>
    private IntegratingProcess IdentifyModel(int pos)
    {
        var rates = new[] { (_peaks[pos - 2], _peaks[pos - 1]), (_peaks[pos - 1], _peaks[pos]) }
            .Select(leg => Math.Abs(leg.Item2.Celsius - leg.Item1.Celsius) / Math.Max((leg.Item2.Time - leg.Item1.Time).TotalSeconds, 1e-3))
            .ToArray();
        // the leg into a maximum is the rise
        var intoMaximum = _peaks[pos].Celsius > _peaks[pos - 1].Celsius ? 1 : 0;
        var rise = Math.Max(rates[intoMaximum], 1e-6);
        var fall = Math.Max(rates[1 - intoMaximum], 1e-6);
        var turnAfterOff = (_peaks[pos - 1 + intoMaximum].Time - _halfCycleStarts[pos - 1 + intoMaximum]).TotalSeconds;
        var turnAfterOn = (_peaks[pos - intoMaximum].Time - _halfCycleStarts[pos - intoMaximum]).TotalSeconds;
        var gain = (rise + fall) / Math.Max(_maxPower, 1e-6);
        var offLog = Math.Log((rise + fall) / fall);
        var onLog = Math.Log((rise + fall) / rise);
        var lag = offLog - onLog > 0.05 ? Math.Max((turnAfterOff - turnAfterOn) / (offLog - onLog), 0) : 0;
        var deadTime = Math.Max(turnAfterOn - lag * onLog, 0);
        return new IntegratingProcess(gain, TimeSpan.FromSeconds(deadTime), TimeSpan.FromSeconds(lag));
    }

    /// <summary>
    /// Shortest dead time the rule assumes: one 1 s control period plus half the 2 s time-proportioned output's cycle
    /// (the relay experiment cannot see either: the relay holds the output fully on or off).
    /// </summary>
    public static readonly TimeSpan MinimumDeadTime = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The gains proposed: SIMC (Skogestad 2003) for the identified integrator with lag τ and dead time θ, with the
    /// closed-loop time constant τc = τ (at least θ): series PID Kc = 1/(k(τc+θ)), Ti = 4(τc+θ), Td = τ (the derivative
    /// cancels the probe's lag), turned into the parallel form the controller runs. Chosen by the heater bench
    /// (`heater`, docs/heater.md) on four simulated blocks through the 2 s time-proportioned output, over
    /// Ziegler-Nichols, Pessen, Tyreus-Luyben (the previous rule: settled only after 6.5 min) and other SIMC choices:
    /// the only rule that met overshoot ≤ 0.3 K, settled ±0.1 K under 5 min and door-open ≤ 0.4 K on all four.
    /// </summary>
    public static PidGains GainsFor(IntegratingProcess model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var k = Math.Max(model.KelvinPerSecondPerDuty, 1e-6);
        var lag = Math.Max(model.Lag.TotalSeconds, 0);
        var deadTime = Math.Max(model.DeadTime.TotalSeconds, MinimumDeadTime.TotalSeconds);
        var closedLoop = Math.Max(lag, deadTime);
        var kc = 1 / (k * (closedLoop + deadTime));
        var ti = 4 * (closedLoop + deadTime);
        var td = lag;
        // series (Kc, Ti, Td) to parallel: Kp = Kc(1 + Td/Ti), Ti' = Ti + Td, Td' = Ti·Td/(Ti + Td)
        var kp = kc * (1 + td / ti);
        return new PidGains(kp, kp / (ti + td), kp * ti * td / (ti + td));
    }

    /// <summary>
    /// Åström-Hägglund Ku for a relay between 0 and <paramref name="maxPower"/> (square-wave amplitude d = max/2) with
    /// a switching band of half-width <paramref name="bandHalfWidthKelvin"/>: Ku = 4d/(π·√(a² − e²)), the real-axis
    /// estimate of the describing function N(a) = 4d/(πa)·(√(1 − (e/a)²) − i·e/a). Klipper's 4·max/(πa) counts d twice
    /// and ignores the band; on the simulated block the two errors nearly cancel (a 1.13 K, e 1 K).
    /// </summary>
    public static double UltimateGain(double amplitudeKelvin, double bandHalfWidthKelvin, double maxPower)
    {
        var effective = Math.Sqrt(Math.Max(amplitudeKelvin * amplitudeKelvin - bandHalfWidthKelvin * bandHalfWidthKelvin, 0.01 * amplitudeKelvin * amplitudeKelvin));
        return 4 * (maxPower / 2) / (Math.PI * effective);
    }
}

/// <summary>What a relay autotune found, for the operator to accept or not.</summary>
/// <param name="Gains">The proposed (SIMC) gains.</param>
/// <param name="UltimateGainPerKelvin">Åström-Hägglund Ku, duty per kelvin.</param>
/// <param name="UltimatePeriod">Tu, the oscillation period at the median cycle.</param>
/// <param name="AmplitudeKelvin">Half the peak-to-peak swing at that cycle.</param>
/// <param name="Cycles">Cycles analysed.</param>
/// <param name="FinishedAt">Rig time of the last peak.</param>
/// <param name="Model">The block identified from the same cycle as an integrator with dead time.</param>
public sealed record AutotuneProposal(
    PidGains Gains, double UltimateGainPerKelvin, TimeSpan UltimatePeriod, double AmplitudeKelvin, int Cycles, DateTimeOffset FinishedAt,
    IntegratingProcess Model);

/// <summary>An integrating process, dT/dt = k·duty − load, read through a first-order lag and a dead time.</summary>
/// <param name="KelvinPerSecondPerDuty">k: the rate full power (duty 1) adds, K/s.</param>
/// <param name="DeadTime">d: pure delay (sampling, the output's cycle) beyond the lag.</param>
/// <param name="Lag">τ: the sensor's lag behind the block (probe in a well).</param>
public sealed record IntegratingProcess(double KelvinPerSecondPerDuty, TimeSpan DeadTime, TimeSpan Lag);
