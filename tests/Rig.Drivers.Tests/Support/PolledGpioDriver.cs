using System.Device.Gpio;

namespace Rig.Drivers.Tests.Support;

/// <summary>
/// The bookkeeping every fake <see cref="GpioDriver"/> here shares: 28 pins (a Pi header), pin modes remembered,
/// every mode supported, and no edge events (the drivers under test poll or only write). A fake adds the silicon:
/// what a read returns and what a write does.
/// </summary>
internal abstract class PolledGpioDriver : GpioDriver
{
    private readonly Dictionary<int, PinMode> _modes = [];

    protected override int PinCount => 28;

    protected override void OpenPin(int pinNumber) => _modes[pinNumber] = PinMode.Input;

    protected override void ClosePin(int pinNumber) => _modes.Remove(pinNumber);

    protected override void SetPinMode(int pinNumber, PinMode mode) => _modes[pinNumber] = mode;

    protected override PinMode GetPinMode(int pinNumber) => _modes[pinNumber];

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => true;

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{GetType().Name} has no edge events: the driver under test polls");

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback) =>
        throw new NotSupportedException($"{GetType().Name} has no edge events: the driver under test polls");

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback) =>
        throw new NotSupportedException($"{GetType().Name} has no edge events: the driver under test polls");
}
