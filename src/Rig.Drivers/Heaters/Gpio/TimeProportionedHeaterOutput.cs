using System.Device.Gpio;
using UnitsNet;

namespace Rig.Drivers.Heaters.Gpio;

/// <summary>
/// A GPIO line to a zero-cross SSR, switched as slow PWM: each cycle (1-2 s, many mains half-cycles) the line
/// is on for duty x cycle. Edges run on <see cref="TimeProvider"/> timers, not on the control loop. Dead-man: at
/// every cycle start, if <see cref="SetDuty"/> has not been called within the dead-man time-out the line goes
/// off and stays off until the next <see cref="SetDuty"/>, so a hung control loop cannot leave the heater on.
/// On/off times shorter than the minimum switch time (a zero-cross SSR cannot switch within half a mains
/// cycle) are rounded to fully off or fully on.
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
    private readonly Lock _lock = new();
    private double _duty;
    private DateTimeOffset _refreshedAt;
    private bool _cycling;
    private bool _inOnPhase;
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
        _timer = time.CreateTimer(_ => OnTimer(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
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
            _duty = fraction;
            _refreshedAt = _time.GetUtcNow();
            DeadManTripped = false;
            if (!_cycling)
            {
                _cycling = true;
                StartCycle();
            }
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
        if (_ownsController)
        {
            _gpio.Dispose();
        }
    }

    private void OnTimer()
    {
        lock (_lock)
        {
            if (!_cycling)
            {
                return;
            }
            if (_inOnPhase)
            {
                // end of the on phase: off for the rest of the cycle
                _inOnPhase = false;
                WriteLevel(_offLevel);
                _timer.Change(_cycle - OnTime(), Timeout.InfiniteTimeSpan);
                return;
            }
            StartCycle();
        }
    }

    // Caller holds _lock.
    private void StartCycle()
    {
        if (_time.GetUtcNow() - _refreshedAt > _deadMan)
        {
            DeadManTripped = true;
            _duty = 0;
            StopCycling();
            return;
        }
        var onTime = OnTime();
        if (onTime <= TimeSpan.Zero)
        {
            _inOnPhase = false;
            WriteLevel(_offLevel);
            _timer.Change(_cycle, Timeout.InfiniteTimeSpan);
        }
        else if (onTime >= _cycle)
        {
            _inOnPhase = false;
            WriteLevel(_onLevel);
            _timer.Change(_cycle, Timeout.InfiniteTimeSpan);
        }
        else
        {
            _inOnPhase = true;
            WriteLevel(_onLevel);
            _timer.Change(onTime, Timeout.InfiniteTimeSpan);
        }
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
        _inOnPhase = false;
        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        WriteLevel(_offLevel);
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
            }
        }
    }
}
