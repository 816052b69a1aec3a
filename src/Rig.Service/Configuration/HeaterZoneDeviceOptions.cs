namespace Rig.Service.Configuration;

/// <summary>The temperature sensor of a zone with Kind = Hardware.</summary>
public sealed class TemperatureSensorOptions
{
    public TemperatureSensorKind Kind { get; set; } = TemperatureSensorKind.Max31865;

    /// <summary>SPI bus (/dev/spidev{bus}.{cs}), for MAX31865 and MAX31856.</summary>
    public int SpiBus { get; set; }

    public int SpiChipSelect { get; set; }

    /// <summary>I2C bus (/dev/i2c-{bus}), for MCP960x.</summary>
    public int I2cBus { get; set; } = 1;

    /// <summary>7-bit I2C address, for MCP960x (0x60-0x67).</summary>
    public int I2cAddress { get; set; } = 0x60;

    /// <summary>MAX31865 only: Pt100 or Pt1000.</summary>
    public RtdKind Rtd { get; set; } = RtdKind.Pt100;

    /// <summary>MAX31865 only: 2, 3 or 4 wires.</summary>
    public int RtdWires { get; set; } = 3;

    /// <summary>MAX31865 only: the board's reference resistor, Ω (430 for a PT100 board, 4300 for PT1000).</summary>
    public double ReferenceResistorOhms { get; set; } = 430;

    /// <summary>MAX31865 only: mains frequency to reject, 50 or 60 Hz.</summary>
    public int MainsFilterHertz { get; set; } = 50;

    /// <summary>Thermocouple type letter for MAX31856/MCP960x (K, J, T, N, S, E, B, R).</summary>
    public string ThermocoupleType { get; set; } = "K";

    /// <summary>Lowest plausible reading, °C; below is a sensor fault.</summary>
    public double MinPlausibleCelsius { get; set; } = -20;

    /// <summary>Highest plausible reading, °C; above is a sensor fault.</summary>
    public double MaxPlausibleCelsius { get; set; } = 150;
}

/// <summary>The heater output of a zone with Kind = Hardware.</summary>
public sealed class HeaterOutputOptions
{
    public HeaterOutputKind Kind { get; set; } = HeaterOutputKind.TimeProportionedGpio;

    /// <summary>BCM GPIO number of the SSR/MOSFET line (time-proportioned).</summary>
    public int GpioPin { get; set; } = 17;

    /// <summary>True when a high level turns the heater on.</summary>
    public bool ActiveHigh { get; set; } = true;

    /// <summary>Slow-PWM cycle for a zero-cross SSR (~1-2 s).</summary>
    public TimeSpan CyclePeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Shortest on or off time the SSR can do (half a mains cycle at 50 Hz = 10 ms).</summary>
    public TimeSpan MinimumSwitchTime { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Hardware PWM chip (/sys/class/pwm/pwmchip{n}; differs on a Pi 5).</summary>
    public int PwmChip { get; set; }

    public int PwmChannel { get; set; }

    public double PwmFrequencyHertz { get; set; } = 100;

    /// <summary>The output turns itself off unless refreshed within this (Klipper MAX_HEAT_TIME-like: 3 s).</summary>
    public TimeSpan DeadManTimeout { get; set; } = TimeSpan.FromSeconds(3);
}

public enum TemperatureSensorKind
{
    Max31865,
    Max31856,
    Mcp960x,
}

public enum RtdKind
{
    Pt100,
    Pt1000,
}

public enum HeaterOutputKind
{
    TimeProportionedGpio,
    HardwarePwm,
}
