using Iot.Device.Ads1115;

namespace Rig.Service.Configuration;

/// <summary>A NAU7802 on the Pi's I2C bus, directly or behind a TCA9548A. Section Rig:Channels:&lt;id&gt;:Clamp:Nau7802.</summary>
public sealed class Nau7802ClampOptions
{
    /// <summary>Linux I2C bus number (/dev/i2c-1 on a Pi's header).</summary>
    public int I2cBus { get; set; } = 1;

    /// <summary>TCA9548A address, decimal (112 = 0x70 ... 119 = 0x77); 0 when the NAU7802 is wired straight to the bus.</summary>
    public int MuxAddress { get; set; }

    /// <summary>The mux channel the clamp's NAU7802 hangs on, 0-7.</summary>
    public int MuxChannel { get; set; }

    /// <summary>PGA gain: 1, 2, 4, 8, 16, 32, 64 or 128 (128 for a 2 mV/V cell).</summary>
    public int Gain { get; set; } = 128;

    /// <summary>Conversion rate: 10, 20, 40, 80 or 320 samples per second.</summary>
    public int SamplesPerSecond { get; set; } = 80;
}

/// <summary>An HX711 on two GPIO lines (channel A, gain 128). Section ...:Clamp:Hx711.</summary>
public sealed class Hx711ClampOptions
{
    /// <summary>BCM GPIO of DOUT.</summary>
    public int DataPin { get; set; } = 5;

    /// <summary>BCM GPIO of PD_SCK.</summary>
    public int ClockPin { get; set; } = 6;
}

/// <summary>An ADS1115 reading the bridge through an instrumentation amplifier on AIN0-AIN1. Section ...:Clamp:Ads1115.</summary>
public sealed class Ads1115ClampOptions
{
    public int I2cBus { get; set; } = 1;

    /// <summary>I2C address, decimal (72 = 0x48 with ADDR to GND).</summary>
    public int Address { get; set; } = 72;

    /// <summary>The amplifier's gain (INA125 with RG = 120 Ω: ~500).</summary>
    public double AmplifierGain { get; set; } = 500;

    /// <summary>Bridge excitation, V (the ADS1115 is not ratiometric: it needs this to know mV/V).</summary>
    public double ExcitationVolts { get; set; } = 5;

    public MeasuringRange Range { get; set; } = MeasuringRange.FS4096;

    public DataRate DataRate { get; set; } = DataRate.SPS128;
}
