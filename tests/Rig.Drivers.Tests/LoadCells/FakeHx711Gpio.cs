using System.Device.Gpio;
using Rig.Drivers.Tests.Support;

namespace Rig.Drivers.Tests.LoadCells;

/// <summary>
/// The HX711 as seen from its two pins, behind a <see cref="GpioDriver"/> (HX711 datasheet, "Serial Interface"):
/// DOUT is high while a conversion runs and goes low when data is ready; each PD_SCK rising edge shifts out the
/// next bit of the 24-bit two's-complement result, MSB first; the 25th, 26th or 27th pulse pulls DOUT high again
/// and selects channel A gain 128, channel B gain 32 or channel A gain 64 for the next conversion. PD_SCK held high
/// for more than 60 µs powers the chip down; when it returns low the chip resets to channel A, gain 128.
/// Time is the chip clock handed in (a fake clock, so a pulse is only "long" when a test stretches it).
/// </summary>
internal sealed class FakeHx711Gpio : PolledGpioDriver
{
    public static readonly TimeSpan PowerDownHighTime = TimeSpan.FromMicroseconds(60);

    private readonly int _dataPin;
    private readonly int _clockPin;
    private readonly TimeProvider _chipClock;
    private readonly List<int> _pulsesPerRead = [];
    private readonly Lock _lock = new();
    private PinValue _clock = PinValue.Low;
    private DateTimeOffset _clockHighSince;
    private DateTimeOffset _readyAt;
    private bool _ready;
    private int _latchedWord;
    private int _pulses;

    public FakeHx711Gpio(int dataPin, int clockPin, TimeProvider chipClock)
    {
        _dataPin = dataPin;
        _clockPin = clockPin;
        _chipClock = chipClock;
        _readyAt = chipClock.GetUtcNow();
    }

    /// <summary>The 24-bit word the next conversion produces (only the low 24 bits are used).</summary>
    public int Word { get; set; }

    /// <summary>Time from the end of one read (25th pulse) or a reset to the next data ready: 10 SPS.</summary>
    public TimeSpan ConversionTime { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>No chip on the pins: DOUT floats high (pulled up) and never signals data ready.</summary>
    public bool Disconnected { get; set; }

    /// <summary>Input and gain the chip will convert next, as set by the pulses after the last 24 data bits.</summary>
    public string NextConversionInput { get; private set; } = "A128";

    public int PowerDowns { get; private set; }

    /// <summary>Called with the pulse count while PD_SCK is high: lets a test stretch a pulse, as a pre-empted thread would.</summary>
    public Action<int>? WhileClockHigh { get; set; }

    /// <summary>PD_SCK rising edges per completed read (24 data bits plus the gain pulses).</summary>
    public IReadOnlyList<int> PulsesPerRead
    {
        get
        {
            lock (_lock)
            {
                return _pulsesPerRead.Concat(_pulses > 24 ? [_pulses] : []).ToList();
            }
        }
    }

    public PinValue ClockLevel => _clock;

    protected override PinValue Read(int pinNumber)
    {
        if (pinNumber == _clockPin)
        {
            return _clock;
        }
        if (pinNumber != _dataPin)
        {
            throw new InvalidOperationException($"pin {pinNumber} is not wired to the HX711");
        }
        lock (_lock)
        {
            return Dout();
        }
    }

    protected override void Write(int pinNumber, PinValue value)
    {
        if (pinNumber != _clockPin)
        {
            throw new InvalidOperationException($"only PD_SCK (pin {_clockPin}) is an HX711 input, not pin {pinNumber}");
        }
        lock (_lock)
        {
            var now = _chipClock.GetUtcNow();
            if (value == PinValue.High && _clock == PinValue.Low)
            {
                _clockHighSince = now;
                RisingEdge(now);
                WhileClockHigh?.Invoke(_pulses);
                now = _chipClock.GetUtcNow();
            }
            else if (value == PinValue.Low && _clock == PinValue.High && now - _clockHighSince > PowerDownHighTime)
            {
                // Datasheet "Reset and Power-Down": back from power-down the chip resets to channel A, gain 128.
                PowerDowns++;
                NextConversionInput = "A128";
                FinishRead();
                _ready = false;
                _readyAt = now + ConversionTime;
            }
            _clock = value;
        }
    }

    private PinValue Dout()
    {
        if (Disconnected)
        {
            return PinValue.High;
        }
        LatchIfConverted(_chipClock.GetUtcNow());
        if (!_ready)
        {
            return PinValue.High; // converting (and, after a read, taking the gain pulses)
        }
        return _pulses == 0
            ? PinValue.Low
            : ((_latchedWord >> (24 - _pulses)) & 1) == 1 ? PinValue.High : PinValue.Low;
    }

    private void RisingEdge(DateTimeOffset now)
    {
        if (Disconnected)
        {
            return;
        }
        LatchIfConverted(now);
        if (_ready)
        {
            _pulses++;
            if (_pulses == 25)
            {
                // The 25th pulse ends the read: DOUT goes high and the next conversion starts.
                _ready = false;
                _readyAt = now + ConversionTime;
            }
        }
        else if (_pulses >= 25)
        {
            _pulses++;
        }
        else
        {
            return; // pulses while converting with no read in progress are ignored
        }
        NextConversionInput = _pulses switch
        {
            25 => "A128",
            26 => "B32",
            27 => "A64",
            _ => NextConversionInput,
        };
    }

    private void LatchIfConverted(DateTimeOffset now)
    {
        if (!_ready && now >= _readyAt)
        {
            FinishRead();
            _ready = true;
            _latchedWord = Word & 0xFFFFFF;
        }
    }

    private void FinishRead()
    {
        if (_pulses > 0)
        {
            _pulsesPerRead.Add(_pulses);
        }
        _pulses = 0;
    }
}
