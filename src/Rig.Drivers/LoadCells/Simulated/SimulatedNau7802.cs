using System.Device.I2c;

namespace Rig.Drivers.LoadCells.Simulated;

/// <summary>
/// A NAU7802 at register level, for tests and the bench: the register map, PUR after power-up, CR while cycling,
/// CALS that clears after a calibration, a 24-bit result read MSB first with auto-increment. Every register write
/// is logged so a test can hold the driver's init against the datasheet. Failure switches make the chip stop
/// answering or leave a status bit stuck, as a disconnected or broken board would.
/// </summary>
public sealed class SimulatedNau7802 : I2cDevice
{
    private readonly byte[] _registers = new byte[0x20];
    private readonly List<(byte Register, byte Value)> _writes = [];
    private readonly Lock _lock = new();

    public SimulatedNau7802(int busId = 1)
    {
        ConnectionSettings = new I2cConnectionSettings(busId, Nau7802.Nau7802.DefaultI2cAddress);
        Reset();
    }

    public override I2cConnectionSettings ConnectionSettings { get; }

    /// <summary>The next conversion result, as the ADC's 24-bit two's complement word (only bits 23:0 are sent).</summary>
    public int ResultWord { get; set; }

    /// <summary>Supplies each conversion result when set (overrides <see cref="ResultWord"/>).</summary>
    public Func<int>? NextResult { get; set; }

    public bool Absent { get; set; }
    public bool PowerUpNeverReady { get; set; }
    public bool ConversionNeverReady { get; set; }
    public bool CalibrationNeverEnds { get; set; }
    public bool CalibrationFails { get; set; }

    public int ConversionsRead { get; private set; }

    public IReadOnlyList<(byte Register, byte Value)> Writes
    {
        get
        {
            lock (_lock)
            {
                return [.. _writes];
            }
        }
    }

    public byte RegisterValue(byte register) => _registers[register];

    public override byte ReadByte() => throw new NotSupportedException("the NAU7802 is read with a register address (WriteRead)");

    public override void Read(Span<byte> buffer) => throw new NotSupportedException("the NAU7802 is read with a register address (WriteRead)");

    public override void WriteByte(byte value) => Write([value]);

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ThrowIfAbsent();
        if (buffer.Length < 2)
        {
            return; // an address-only write just moves the register pointer
        }
        lock (_lock)
        {
            _writes.Add((buffer[0], buffer[1]));
        }
        Store(buffer[0], buffer[1]);
    }

    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        ThrowIfAbsent();
        var register = writeBuffer[0];
        if (register == 0x12)
        {
            var word = NextResult?.Invoke() ?? ResultWord;
            readBuffer[0] = (byte)(word >> 16);
            if (readBuffer.Length > 1) readBuffer[1] = (byte)(word >> 8);
            if (readBuffer.Length > 2) readBuffer[2] = (byte)word;
            ConversionsRead++;
            return;
        }
        for (var i = 0; i < readBuffer.Length; i++)
        {
            readBuffer[i] = Load((byte)(register + i));
        }
    }

    private byte Load(byte register)
    {
        if (register == 0x00)
        {
            var puCtrl = _registers[0];
            var cycling = (puCtrl & 0x16) == 0x16 && (puCtrl & 0x08) != 0; // PUD, PUA, CS and PUR
            return cycling && !ConversionNeverReady ? (byte)(puCtrl | 0x20) : (byte)(puCtrl & ~0x20);
        }
        if (register == 0x02 && (_registers[2] & 0x04) != 0 && !CalibrationNeverEnds)
        {
            // Calibration finishes by the next status read: CALS self-clears, CAL_ERR reports the outcome.
            _registers[2] = (byte)((_registers[2] & ~0x04 & ~0x08) | (CalibrationFails ? 0x08 : 0));
        }
        return register < _registers.Length ? _registers[register] : (byte)0;
    }

    private void Store(byte register, byte value)
    {
        if (register == 0x00)
        {
            if ((value & 0x01) != 0)
            {
                Reset();
                _registers[0] = 0x01;
                return;
            }
            // PUR (b3) and CR (b5) are read-only; PUR follows PUD.
            var ready = (value & 0x02) != 0 && !PowerUpNeverReady ? 0x08 : 0;
            _registers[0] = (byte)((value & ~0x28) | ready);
            return;
        }
        if (register < _registers.Length)
        {
            _registers[register] = value;
        }
    }

    private void Reset()
    {
        Array.Clear(_registers);
        _registers[0x1F] = 0x0F; // REVISION_ID
    }

    private void ThrowIfAbsent()
    {
        if (Absent)
        {
            throw new IOException("Error 121 performing I2C data transfer (remote I/O error: no acknowledge from 0x2A)");
        }
    }
}
