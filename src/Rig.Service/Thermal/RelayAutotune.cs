using Rig.Drivers.TemperatureSensors;
using UnitsNet;

namespace Rig.Service.Thermal;

/// <summary>
/// Relay autotune after Klipper's ControlAutoTune (klippy/extras/pid_calibrate.py): full power until the
/// temperature reaches the target, off until it falls to target - hysteresis, recording the extreme of each
/// half-cycle. From the oscillation: Astrom-Hagglund Ku = 4·max_power/(π·a) with a half the peak-to-peak
/// amplitude and Tu the peak period, then Ziegler-Nichols Kp = 0.6·Ku, Ti = 0.5·Tu, Td = 0.125·Tu, taken at the
/// cycle of median period. Proposes; the operator accepts. Not thread-safe: the zone controller serialises calls.
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
        var ultimateGain = 4 * _maxPower / (Math.PI * amplitudeKelvin);
        var ultimatePeriod = _peaks[pos].Time - _peaks[pos - 2].Time;
        var kp = 0.6 * ultimateGain;
        var ti = 0.5 * ultimatePeriod.TotalSeconds;
        var td = 0.125 * ultimatePeriod.TotalSeconds;
        return new AutotuneProposal(
            new PidGains(kp, kp / ti, kp * td), ultimateGain, ultimatePeriod, amplitudeKelvin, cycles, _peaks[^1].Time);
    }
}

/// <summary>What a relay autotune found, for the operator to accept or not.</summary>
/// <param name="Gains">The Ziegler-Nichols gains.</param>
/// <param name="UltimateGainPerKelvin">Astrom-Hagglund Ku, duty per kelvin.</param>
/// <param name="UltimatePeriod">Tu, the oscillation period at the median cycle.</param>
/// <param name="AmplitudeKelvin">Half the peak-to-peak swing at that cycle.</param>
/// <param name="Cycles">Cycles analysed.</param>
/// <param name="FinishedAt">Rig time of the last peak.</param>
public sealed record AutotuneProposal(
    PidGains Gains, double UltimateGainPerKelvin, TimeSpan UltimatePeriod, double AmplitudeKelvin, int Cycles, DateTimeOffset FinishedAt);
