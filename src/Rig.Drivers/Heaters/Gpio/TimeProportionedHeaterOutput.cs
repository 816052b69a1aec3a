using System.Device.Gpio;
using UnitsNet;

namespace Rig.Drivers.Heaters.Gpio;

/// <summary>
/// A GPIO line to a zero-cross SSR, switched as slow PWM: each cycle (1-2 s, many mains half-cycles) the line
/// is on for the first duty x cycle. Edges run on <see cref="TimeProvider"/> timers, not on the control loop.
/// Cycles have a fixed length (each starts one period after the last, whatever the duty), and a new duty applies
/// at the next possible edge within the running cycle: the line is on while the time since the cycle start is
/// under the new on-time, so a shorter on-time drops the line at once and a longer one keeps it on or turns it
/// back on for the rest of its on-time. Dead-man: a timer of its own, re-armed by every <see cref="SetDuty"/>,
/// turns the line off when the duty was not refreshed within the dead-man time-out, wherever in the cycle that
/// falls; the line stays off until the next <see cref="SetDuty"/>. On/off times shorter than the minimum switch
/// time (a zero-cross SSR cannot switch within half a mains cycle) are rounded to fully off or fully on, and a
/// remainder of an on phase shorter than it is not switched on.
/// </summary>
public sealed class TimeProportionedHeaterOutput : IHeaterOutput, IDisposable
{
    private readonly GpioController _gpio;
    private readonly int _pin;
    private readonly PinValue _onLevel;
    private readonly PinValue _offLevel;
    private readonly TimeSpan _cycle;
    private readonly TimeSpan _deadMan;
    private readonly TimeSpan _minimumSwitch;
    private readonly TimeProvider _time;
    private readonly bool _ownsController;
    private readonly ITimer _timer;
    private readonly ITimer _deadManTimer;
    private readonly Lock _lock = new();
    private double _duty;
    private DateTimeOffset _refreshedAt;
    private DateTimeOffset _cycleStart;
    private bool _cycling;
    private bool _lineOn;
    private bool _disposed;

    public TimeProportionedHeaterOutput(
        GpioController gpio,
        int pin,
        bool activeHigh,
        TimeSpan cycle,
        TimeSpan deadManTimeout,
        TimeSpan minimumSwitchTime,
        TimeProvider time,
        bool ownsController)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(cycle, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(deadManTimeout, TimeSpan.Zero);
        _gpio = gpio ?? throw new ArgumentNullException(nameof(gpio));
        _pin = pin;
        _onLevel = activeHigh ? PinValue.High : PinValue.Low;
        _offLevel = activeHigh ? PinValue.Low : PinValue.High;
        _cycle = cycle;
        _deadMan = deadManTimeout;
        _minimumSwitch = minimumSwitchTime;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _ownsController = ownsController;
        // Open straight into the off level: the line must never glitch on at start-up.
        _gpio.OpenPin(pin, PinMode.Output, _offLevel);
        _timer = time.CreateTimer(_ => OnEdge(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _deadManTimer = time.CreateTimer(_ => OnDeadMan(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Device = $"gpio{pin}-ssr";
    }

    public string Device { get; }

    public Ratio Duty
    {
        get
        {
            lock (_lock)
            {
                return Ratio.FromDecimalFractions(_duty);
            }
        }
    }

    /// <summary>True when the dead-man turned the line off because the duty was not refreshed in time.</summary>
    public bool DeadManTripped { get; private set; }

    public void SetDuty(Ratio duty)
    {
        var fraction = HeaterDuty.Fraction(duty);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var now = _time.GetUtcNow();
            _duty = fraction;
            _refreshedAt = now;
            DeadManTripped = false;
            _deadManTimer.Change(_deadMan, Timeout.InfiniteTimeSpan);
            if (!_cycling)
            {
                _cycling = true;
                _cycleStart = now;
            }
            Apply(now);
        }
    }

    public void TurnOff()
    {
        lock (_lock)
        {
            _duty = 0;
            StopCycling();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            StopCycling();
            _disposed = true;
        }
        _timer.Dispose();
        _deadManTimer.Dispose();
        if (_ownsController)
        {
            _gpio.Dispose();
        }
    }

    private void OnEdge()
    {
        lock (_lock)
        {
            if (!_cycling)
            {
                return;
            }
            var now = _time.GetUtcNow();
            if (now >= _cycleStart + _cycle)
            {
                // Fixed cycle length; a timer that fired far too late (a stalled process) starts afresh from now.
                _cycleStart = now - _cycleStart >= 2 * _cycle ? now : _cycleStart + _cycle;
            }
            Apply(now);
        }
    }

    private void OnDeadMan()
    {
        lock (_lock)
        {
            if (!_cycling || _time.GetUtcNow() - _refreshedAt < _deadMan)
            {
                return; // refreshed meanwhile (the timer was re-armed)
            }
            DeadManTripped = true;
            _duty = 0;
            StopCycling();
        }
    }

    // Caller holds _lock. Sets the line for this moment of the cycle and arms the timer for its next edge.
    private void Apply(DateTimeOffset now)
    {
        var intoCycle = now - _cycleStart;
        var onTime = OnTime();
        var cycleEnd = _cycleStart + _cycle;
        DateTimeOffset nextEdge;
        if (onTime >= _cycle)
        {
            SetLine(true);
            nextEdge = cycleEnd;
        }
        else if (onTime - intoCycle >= (_lineOn ? TimeSpan.Zero : _minimumSwitch) && onTime - intoCycle > TimeSpan.Zero)
        {
            // On for the rest of the on phase; one already on is not cut short just because little remains.
            SetLine(true);
            nextEdge = _cycleStart + onTime;
        }
        else
        {
            SetLine(false);
            nextEdge = cycleEnd;
        }
        var due = nextEdge - now;
        _timer.Change(due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    private TimeSpan OnTime()
    {
        var onTime = _cycle * _duty;
        if (onTime < _minimumSwitch)
        {
            return TimeSpan.Zero;
        }
        return _cycle - onTime < _minimumSwitch ? _cycle : onTime;
    }

    // Caller holds _lock.
    private void StopCycling()
    {
        _cycling = false;
        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _deadManTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _lineOn = true; // force the write: off must reach the pin even if we believe it is already off
        SetLine(false);
    }

    // Caller holds _lock. Writes only on a change of level.
    private void SetLine(bool on)
    {
        if (on == _lineOn)
        {
            return;
        }
        _lineOn = on;
        WriteLevel(on ? _onLevel : _offLevel);
    }

    private void WriteLevel(PinValue level)
    {
        if (_disposed)
        {
            return;
        }
        try
        {
            _gpio.Write(_pin, level);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            // The gate's pull-down is the backstop (hardware-notes: a dead line means heater off); the zone's
            // safety sees the temperature and trips if the line is stuck on.
            if (level == _onLevel)
            {
                _duty = 0;
                _lineOn = false;
            }
        }
    }
}
