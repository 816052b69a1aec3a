namespace Rig.Drivers.LoadCells.Nau7802;

/// <summary>NAU7802 register map (Nuvoton NAU7802 datasheet rev 1.7, section 11 "Register Map").</summary>
internal enum Register : byte
{
    PuCtrl = 0x00,
    Ctrl1 = 0x01,
    Ctrl2 = 0x02,
    AdcoB2 = 0x12,
    AdcoB1 = 0x13,
    AdcoB0 = 0x14,
    /// <summary>ADC control (datasheet names it ADC; bits 5:4 = REG_CHPS, 11 turns the chopper clock off).</summary>
    Adc = 0x15,
    Pga = 0x1B,
    PowerControl = 0x1C,
    DeviceRevision = 0x1F,
}

/// <summary>Bit fields of PU_CTRL (0x00).</summary>
internal static class PuCtrl
{
    public const byte RegisterReset = 1 << 0;
    public const byte PowerUpDigital = 1 << 1;
    public const byte PowerUpAnalog = 1 << 2;
    public const byte PowerUpReady = 1 << 3;
    public const byte CycleStart = 1 << 4;
    public const byte ConversionReady = 1 << 5;
    public const byte InternalLdo = 1 << 7;
}

/// <summary>Bit fields of CTRL1 (0x01), CTRL2 (0x02) and the analog registers.</summary>
internal static class Fields
{
    /// <summary>CTRL1 VLDO b5:3 = 100: 3.3 V, the usual choice on a 3.3 V Pi board.</summary>
    public const byte Ldo3V3 = 0b100 << 3;
    public const byte CalibrationStart = 1 << 2;
    public const byte CalibrationError = 1 << 3;
    public const int SampleRateShift = 4;
    /// <summary>ADC (0x15) REG_CHPS = 11: chopper clock off, as the SparkFun and Adafruit drivers do.</summary>
    public const byte ChopperClockOff = 0b11 << 4;
    /// <summary>PWR_CTRL (0x1C) PGA_CAP_EN: enables the 330 pF decoupling on channel 2 (datasheet 9.6).</summary>
    public const byte PgaCapEnable = 1 << 7;
    /// <summary>REVISION_ID low nibble reads 0xF on every NAU7802.</summary>
    public const byte RevisionNibble = 0x0F;
}
