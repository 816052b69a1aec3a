using System.Device.Gpio;

namespace Rig.Drivers.Tests.Thermal;

/// <summary>A GPIO driver for <c>new GpioController(driver)</c> that records every level written, with the rig time.</summary>
internal sealed class RecordingGpioDriver : GpioDriver
{
    private readonly TimeProvider _time;
    private readonly Dictionary<int, PinMode> _modes = [];
    private readonly Dictionary<int, PinValue> _levels = [];
    private readonly List<(DateTimeOffset At, int Pin, PinValue Level)> _writes = [];

    public RecordingGpioDriver(TimeProvider time)
    {
        _time = time;
    }

    public IReadOnlyList<(DateTimeOffset At, int Pin, PinValue Level)> Writes => _writes;

    public PinValue Level(int pin) => _levels.TryGetValue(pin, out var level) ? level : PinValue.Low;

    protected override int PinCount => 28;

    protected override void OpenPin(int pinNumber) => _modes[pinNumber] = PinMode.Input;

    protected override void ClosePin(int pinNumber) => _modes.Remove(pinNumber);

    protected override void SetPinMode(int pinNumber, PinMode mode) => _modes[pinNumber] = mode;

    protected override PinMode GetPinMode(int pinNumber) => _modes[pinNumber];

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => true;

    protected override PinValue Read(int pinNumber) => Level(pinNumber);

    protected override void Write(int pinNumber, PinValue value)
    {
        _levels[pinNumber] = value;
        _writes.Add((_time.GetUtcNow(), pinNumber, value));
    }

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        throw new NotSupportedException("heater outputs do not wait for edges");

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback) =>
        throw new NotSupportedException("heater outputs do not watch edges");

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback) =>
        throw new NotSupportedException("heater outputs do not watch edges");
}
