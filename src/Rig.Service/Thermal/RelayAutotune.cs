using Rig.Drivers.TemperatureSensors;
using UnitsNet;

namespace Rig.Service.Thermal;

/// <summary>
/// Relay autotune after Klipper's ControlAutoTune (klippy/extras/pid_calibrate.py): full power until the
/// temperature reaches the target, off until it falls to target - hysteresis, recording the extreme of each
/// half-cycle. From the oscillation (a half the peak-to-peak amplitude, Tu the peak period, at the cycle of median
/// period): Åström-Hägglund Ku with the relay's real amplitude and its band (<see cref="UltimateGain"/>), then
/// Tyreus-Luyben Kp = Ku/2.2, Ti = 2.2·Tu, Td = Tu/6.3, chosen over Ziegler-Nichols by the heater bench through the
/// 2 s time-proportioned output (docs/heater.md). Proposes; the operator accepts. Not thread-safe: the zone controller serialises calls.
/// </summary>
public sealed class RelayAutotune
{
    private readonly double _targetCelsius;
    private readonly double _hysteresisKelvin;
    private readonly double _maxPower;
    private readonly int _peaksWanted;
    private readonly DateTimeOffset _giveUpAt;
    private readonly List<(double Celsius, DateTimeOffset Time)> _peaks = [];
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
        // the new half-cycle's extreme starts from here
        _peakCelsius = celsius;
        _peakTime = time;
    }

    private AutotuneProposal ProposalAt(int pos, int cycles)
    {
        var amplitudeKelvin = 0.5 * Math.Abs(_peaks[pos].Celsius - _peaks[pos - 1].Celsius);
        var ultimateGain = UltimateGain(amplitudeKelvin, _hysteresisKelvin / 2, _maxPower);
        var ultimatePeriod = _peaks[pos].Time - _peaks[pos - 2].Time;
        // Tyreus-Luyben: Kp = Ku/2.2, Ti = 2.2·Tu, Td = Tu/6.3 (Ziegler-Nichols overshot 0.43 K through the 2 s output).
        var kp = ultimateGain / 2.2;
        var ti = 2.2 * ultimatePeriod.TotalSeconds;
        var td = ultimatePeriod.TotalSeconds / 6.3;
        return new AutotuneProposal(
            new PidGains(kp, kp / ti, kp * td), ultimateGain, ultimatePeriod, amplitudeKelvin, cycles, _peaks[^1].Time);
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
/// <param name="Gains">The Tyreus-Luyben gains.</param>
/// <param name="UltimateGainPerKelvin">Åström-Hägglund Ku, duty per kelvin.</param>
/// <param name="UltimatePeriod">Tu, the oscillation period at the median cycle.</param>
/// <param name="AmplitudeKelvin">Half the peak-to-peak swing at that cycle.</param>
/// <param name="Cycles">Cycles analysed.</param>
/// <param name="FinishedAt">Rig time of the last peak.</param>
public sealed record AutotuneProposal(
    PidGains Gains, double UltimateGainPerKelvin, TimeSpan UltimatePeriod, double AmplitudeKelvin, int Cycles, DateTimeOffset FinishedAt);
