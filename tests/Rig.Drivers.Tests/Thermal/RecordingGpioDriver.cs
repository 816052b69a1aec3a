using System.Device.Gpio;
using Rig.Drivers.Tests.Support;

namespace Rig.Drivers.Tests.Thermal;

/// <summary>A GPIO driver for <c>new GpioController(driver)</c> that records every level written, with the rig time.</summary>
internal sealed class RecordingGpioDriver : PolledGpioDriver
{
    private readonly TimeProvider _time;
    private readonly Dictionary<int, PinValue> _levels = [];
    private readonly List<(DateTimeOffset At, int Pin, PinValue Level)> _writes = [];

    public RecordingGpioDriver(TimeProvider time)
    {
        _time = time;
    }

    public IReadOnlyList<(DateTimeOffset At, int Pin, PinValue Level)> Writes => _writes;

    public PinValue Level(int pin) => _levels.TryGetValue(pin, out var level) ? level : PinValue.Low;

    protected override PinValue Read(int pinNumber) => Level(pinNumber);

    protected override void Write(int pinNumber, PinValue value)
    {
        _levels[pinNumber] = value;
        _writes.Add((_time.GetUtcNow(), pinNumber, value));
    }
}
