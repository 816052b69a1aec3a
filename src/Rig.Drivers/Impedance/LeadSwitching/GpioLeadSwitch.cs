using System.Device.Gpio;
using Rig.Drivers.Faults;

namespace Rig.Drivers.Impedance.LeadSwitching;

/// <summary>
/// A change-over relay whose coil a GPIO line drives through a transistor (with a flyback diode across the coil):
/// energised = analyser, de-energised = SMU. The line is opened straight at the de-energised level, so constructing
/// the switch (at start-up, before any loop runs) puts the cell on the SMU; disposing it drives the line de-energised
/// again before closing it. A write that throws (the GPIO chip gone, a permission lost) is a typed fault and leaves
/// the position unknown, which the engine treats as "not on the SMU" (it then refuses to turn the SMU's output on).
/// </summary>
public sealed class GpioLeadSwitch : ILeadSwitch
{
    private readonly GpioController _gpio;
    private readonly int _pin;
    private readonly PinValue _energised;
    private readonly PinValue _deEnergised;
    private readonly TimeSpan _settle;
    private readonly TimeProvider _time;
    private readonly bool _ownsController;
    private readonly Lock _lock = new();
    private LeadPosition _position = LeadPosition.Unknown;
    private bool _disposed;

    /// <param name="gpio">The controller the line belongs to.</param>
    /// <param name="pin">The BCM GPIO number driving the coil's transistor.</param>
    /// <param name="activeHigh">True when a high line energises the coil (an NPN or logic-level MOSFET low-side stage).</param>
    /// <param name="settle">Wait after each switch before returning (<see cref="RelayTiming.DefaultSettle"/>).</param>
    /// <param name="time">The rig clock the settle wait runs on.</param>
    /// <param name="ownsController">True when disposing the switch disposes the controller too.</param>
    public GpioLeadSwitch(GpioController gpio, int pin, bool activeHigh, TimeSpan settle, TimeProvider time, bool ownsController)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(settle, TimeSpan.Zero);
        _gpio = gpio ?? throw new ArgumentNullException(nameof(gpio));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _pin = pin;
        _energised = activeHigh ? PinValue.High : PinValue.Low;
        _deEnergised = activeHigh ? PinValue.Low : PinValue.High;
        _settle = settle;
        _ownsController = ownsController;
        Device = $"gpio{pin}-relay";
        // Open straight at the de-energised level: the coil must never pulse on at start-up.
        _gpio.OpenPin(pin, PinMode.Output, _deEnergised);
        _position = LeadPosition.Smu;
    }

    public string Device { get; }

    public LeadPosition Position
    {
        get
        {
            lock (_lock)
            {
                return _position;
            }
        }
    }

    public ValueTask ConnectAnalyzerAsync(CancellationToken cancellationToken) => SwitchAsync(LeadPosition.Analyzer, cancellationToken);

    public ValueTask ConnectSmuAsync(CancellationToken cancellationToken) => SwitchAsync(LeadPosition.Smu, cancellationToken);

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            try
            {
                if (_gpio.IsPinOpen(_pin))
                {
                    _gpio.Write(_pin, _deEnergised);
                    _gpio.ClosePin(_pin);
                }
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                // Disposal goes on (the rig's other devices are disposed after this one); a line that cannot be written
                // is not energising the coil either once the process is gone.
            }
            finally
            {
                if (_ownsController)
                {
                    _gpio.Dispose();
                }
            }
        }
    }

    private async ValueTask SwitchAsync(LeadPosition target, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _position = LeadPosition.Unknown;
            try
            {
                _gpio.Write(_pin, target == LeadPosition.Analyzer ? _energised : _deEnergised);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                throw new LeadSwitchFaultException(new HardwareFault(FaultKind.DeviceNotResponding, Device,
                    $"could not drive the lead relay to the {Name(target)} ({ex.GetType().Name}: {ex.Message})",
                    "the GPIO line, the relay driver stage and the service's access to /dev/gpiochip*"), ex);
            }
            _position = target;
        }
        if (_settle > TimeSpan.Zero)
        {
            await Task.Delay(_settle, _time, cancellationToken);
        }
    }

    internal static string Name(LeadPosition position) => position == LeadPosition.Analyzer ? "analyser" : "SMU";
}
