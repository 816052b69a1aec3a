using System.Device.I2c;
using Rig.Drivers.Faults;

namespace Rig.Drivers.LoadCells.Nau7802;

/// <summary>
/// Nuvoton NAU7802 24-bit bridge ADC on I2C (fixed address 0x2A). Power-up, LDO, gain, rate and internal
/// calibration follow the datasheet (sections 9.1-9.4) in the order the SparkFun Qwiic Scale driver uses.
/// Every wait polls a status bit on the <see cref="TimeProvider"/> and gives up after its time-out with a
/// <see cref="FaultKind.DeviceTimeout"/>; an I2C NACK becomes <see cref="FaultKind.DeviceNotResponding"/>.
/// Not thread-safe: one owner (the channel loop, or the bench tool).
/// </summary>
public sealed class Nau7802 : IBridgeAdc, IDisposable
{
    /// <summary>The NAU7802's only I2C address (datasheet 10.1).</summary>
    public const int DefaultI2cAddress = 0x2A;

    private readonly I2cDevice _i2c;
    private readonly TimeProvider _time;
    private readonly bool _shouldDispose;
    private readonly byte[] _write = new byte[2];
    private readonly byte[] _one = new byte[1];
    private readonly byte[] _result = new byte[3];

    public Nau7802(I2cDevice i2cDevice, Nau7802Settings settings, TimeProvider time, string device, bool shouldDispose = true)
    {
        _i2c = i2cDevice ?? throw new ArgumentNullException(nameof(i2cDevice));
        Settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        Device = device;
        _shouldDispose = shouldDispose;
    }

    public string Device { get; }

    public Nau7802Settings Settings { get; }

    /// <summary>True once <see cref="InitializeAsync"/> has finished.</summary>
    public bool Initialized { get; private set; }

    /// <summary>
    /// Ratiometric (LDO is both excitation and reference): full scale is ±0.5 VREF / gain = ±2^23 counts,
    /// so 1 mV/V of bridge output is gain x 2^24 / 1000 counts.
    /// </summary>
    public double CountsPerMillivoltPerVolt => (1 << (int)Settings.Gain) * (double)(1 << 24) / 1000.0;

    /// <summary>Reset, power-up, LDO 3.3 V, gain, rate, analog set-up, LDO settle, internal calibration, discard.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        Initialized = false;
        WriteRegister(Register.PuCtrl, PuCtrl.RegisterReset);
        WriteRegister(Register.PuCtrl, 0);
        WriteRegister(Register.PuCtrl, PuCtrl.PowerUpDigital | PuCtrl.PowerUpAnalog);
        await WaitForAsync(Register.PuCtrl, PuCtrl.PowerUpReady, PuCtrl.PowerUpReady, Settings.PowerUpTimeout, "PUR (power-up ready)", cancellationToken);

        var revision = ReadRegister(Register.DeviceRevision);
        if ((revision & 0x0F) != Fields.RevisionNibble)
        {
            throw Fault(FaultKind.DeviceNotResponding, $"REVISION_ID reads 0x{revision:X2}: the device at 0x2A is not a NAU7802",
                "the address and the mux channel: another chip answers there");
        }

        WriteRegister(Register.Ctrl1, (byte)(Fields.Ldo3V3 | (byte)Settings.Gain));
        WriteRegister(Register.Ctrl2, RateBits());
        WriteRegister(Register.Adc, (byte)(ReadRegister(Register.Adc) | Fields.ChopperClockOff));
        WriteRegister(Register.PowerControl, (byte)(ReadRegister(Register.PowerControl) | Fields.PgaCapEnable));
        WriteRegister(Register.PuCtrl, PuCtrl.PowerUpDigital | PuCtrl.PowerUpAnalog | PuCtrl.CycleStart | PuCtrl.InternalLdo);

        await Task.Delay(Settings.LdoSettleTime, _time, cancellationToken);
        await CalibrateAsync(cancellationToken);
        for (var i = 0; i < Settings.DiscardedReadings; i++)
        {
            await ReadCountsAsync(cancellationToken);
        }
        Initialized = true;
    }

    /// <summary>
    /// Internal offset calibration (CALMOD = 00, CALS = 1; datasheet 9.4). Needed after any gain, rate or
    /// channel change and after a large temperature change. CAL_ERR set afterwards is a fault.
    /// </summary>
    public async Task CalibrateAsync(CancellationToken cancellationToken)
    {
        WriteRegister(Register.Ctrl2, (byte)(RateBits() | Fields.CalibrationStart));
        var ctrl2 = await WaitForAsync(Register.Ctrl2, Fields.CalibrationStart, 0, Settings.CalibrationTimeout, "CALS (calibration busy)", cancellationToken);
        if ((ctrl2 & Fields.CalibrationError) != 0)
        {
            throw Fault(FaultKind.SensorFault, "internal calibration failed (CAL_ERR set)",
                "the bridge wiring (E+/E-/A+/A-): an open or shorted input cannot be calibrated");
        }
    }

    public async ValueTask<RawBridgeReading> ReadAsync(CancellationToken cancellationToken)
    {
        if (!Initialized)
        {
            await InitializeAsync(cancellationToken);
        }
        try
        {
            var counts = await ReadCountsAsync(cancellationToken);
            return new RawBridgeReading(_time.GetUtcNow(), counts);
        }
        catch (HardwareFaultException)
        {
            // A chip that lost power (cable pulled and put back) comes back reset and idle: set it up again next time.
            Initialized = false;
            throw;
        }
    }

    /// <summary>ADCO_B2..B0 are MSB first and two's complement: bit 23 is the sign (datasheet 11.14).</summary>
    public static int SignExtend24(byte b2, byte b1, byte b0) => ((b2 << 24) | (b1 << 16) | (b0 << 8)) >> 8;

    public void Dispose()
    {
        if (_shouldDispose)
        {
            _i2c.Dispose();
        }
    }

    private async ValueTask<int> ReadCountsAsync(CancellationToken cancellationToken)
    {
        await WaitForAsync(Register.PuCtrl, PuCtrl.ConversionReady, PuCtrl.ConversionReady, Settings.ConversionTimeout, "CR (conversion ready)", cancellationToken);
        // One burst read from ADCO_B2: the address auto-increments, and reading B0 clears CR.
        Transfer(() => _i2c.WriteRead([(byte)Register.AdcoB2], _result), "read ADCO");
        return SignExtend24(_result[0], _result[1], _result[2]);
    }

    private byte RateBits() => (byte)((byte)Settings.SampleRate << Fields.SampleRateShift);

    private async ValueTask<byte> WaitForAsync(Register register, byte mask, byte expected, TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        while (true)
        {
            var bits = ReadRegister(register);
            if ((bits & mask) == expected)
            {
                return bits;
            }
            if (_time.GetElapsedTime(started) >= timeout)
            {
                throw Fault(FaultKind.DeviceTimeout,
                    $"{what} did not {(expected == 0 ? "clear" : "set")} within {timeout.TotalMilliseconds:0} ms (register 0x{(byte)register:X2} = 0x{bits:X2})",
                    "the load cell's supply (AVDD/DVDD) and the bridge wiring");
            }
            await Task.Delay(Settings.PollInterval, _time, cancellationToken);
        }
    }

    private byte ReadRegister(Register register)
    {
        Transfer(() => _i2c.WriteRead([(byte)register], _one), $"read register 0x{(byte)register:X2}");
        return _one[0];
    }

    private void WriteRegister(Register register, byte bits)
    {
        _write[0] = (byte)register;
        _write[1] = bits;
        Transfer(() => _i2c.Write(_write), $"write register 0x{(byte)register:X2}");
    }

    // Linux i2c-dev reports a NACK (chip absent, unpowered, wrong mux channel) as an IOException.
    private void Transfer(Action transfer, string what)
    {
        try
        {
            transfer();
        }
        catch (IOException ex)
        {
            throw new HardwareFaultException(new HardwareFault(FaultKind.DeviceNotResponding, Device,
                $"no acknowledge on {what}: {ex.Message}", "the I2C wiring (SDA/SCL/3V3/GND), the mux channel and the 0x2A address"), ex);
        }
    }

    private HardwareFaultException Fault(FaultKind kind, string message, string whatToCheck) =>
        new(new HardwareFault(kind, Device, message, whatToCheck));
}
