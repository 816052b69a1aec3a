using System.Device.Pwm;
using UnitsNet;

namespace Rig.Drivers.Heaters.Pwm;

/// <summary>
/// A hardware PWM channel (dtoverlay=pwm, /sys/class/pwm) to a MOSFET gate. The duty goes straight to the
/// channel. Dead-man: a one-shot timer restarted by every <see cref="SetDuty"/>; if it fires, the channel's duty
/// is set to 0 and the channel stopped, so a hung control loop cannot leave the heater on.
/// </summary>
public sealed class PwmHeaterOutput : IHeaterOutput, IDisposable
{
    private readonly PwmChannel _channel;
    private readonly TimeSpan _deadMan;
    private readonly bool _ownsChannel;
    private readonly ITimer _deadManTimer;
    private readonly Lock _lock = new();
    private double _duty;
    private bool _running;
    private bool _disposed;

    public PwmHeaterOutput(PwmChannel channel, string device, TimeSpan deadManTimeout, TimeProvider time, bool ownsChannel)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(deadManTimeout, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(time);
        _channel = channel ?? throw new ArgumentNullException(nameof(channel));
        _deadMan = deadManTimeout;
        _ownsChannel = ownsChannel;
        Device = device;
        _channel.DutyCycle = 0;
        _deadManTimer = time.CreateTimer(_ => OnDeadMan(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
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

    /// <summary>True when the dead-man turned the channel off because the duty was not refreshed in time.</summary>
    public bool DeadManTripped { get; private set; }

    public void SetDuty(Ratio duty)
    {
        var fraction = HeaterDuty.Fraction(duty);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _channel.DutyCycle = fraction;
            if (!_running)
            {
                _channel.Start();
                _running = true;
            }
            _duty = fraction;
            DeadManTripped = false;
            _deadManTimer.Change(_deadMan, Timeout.InfiniteTimeSpan);
        }
    }

    public void TurnOff()
    {
        lock (_lock)
        {
            Stop();
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
            Stop();
            _disposed = true;
        }
        _deadManTimer.Dispose();
        if (_ownsChannel)
        {
            _channel.Dispose();
        }
    }

    private void OnDeadMan()
    {
        lock (_lock)
        {
            if (_running)
            {
                DeadManTripped = true;
            }
            Stop();
        }
    }

    // Caller holds _lock. Must not throw: it is the safe path.
    private void Stop()
    {
        _duty = 0;
        _deadManTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        try
        {
            _channel.DutyCycle = 0;
            if (_running)
            {
                _channel.Stop();
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            // the gate pull-down is the hardware backstop; the zone's safety watches the temperature
        }
        _running = false;
    }
}
