using System.Device.Gpio;

namespace Rig.Drivers.DigitalInputs;

/// <summary>
/// A GPIO input, wired fail-safe: the e-stop is a normally-closed loop to ground with the pull-up on,
/// so a pressed button or a cut wire both read high = active.
/// </summary>
public sealed class GpioDigitalInput : IDigitalInput, IDisposable
{
    private readonly GpioController _controller;
    private readonly int _pin;
    private readonly PinValue _activeLevel;
    private readonly bool _ownsController;

    public GpioDigitalInput(GpioController controller, int pin, bool activeHigh, bool ownsController = false)
    {
        _controller = controller ?? throw new ArgumentNullException(nameof(controller));
        _pin = pin;
        _activeLevel = activeHigh ? PinValue.High : PinValue.Low;
        _ownsController = ownsController;
        _controller.OpenPin(pin, activeHigh ? PinMode.InputPullUp : PinMode.InputPullDown);
        Device = $"gpio{pin}";
    }

    public string Device { get; }

    public bool IsActive() => _controller.Read(_pin) == _activeLevel;

    public void Dispose()
    {
        if (_controller.IsPinOpen(_pin))
        {
            _controller.ClosePin(_pin);
        }
        if (_ownsController)
        {
            _controller.Dispose();
        }
    }
}
