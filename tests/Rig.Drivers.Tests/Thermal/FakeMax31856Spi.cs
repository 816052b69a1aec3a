using System.Device.Spi;

namespace Rig.Drivers.Tests.Thermal;

/// <summary>
/// The MAX31856's SPI register map (datasheet Table 6): 16 registers, read at the address, written at address | 0x80,
/// both auto-incrementing. LTCBH/M/L (0x0C-0x0E) hold the linearized thermocouple temperature as a 19-bit two's
/// complement number, 0.0078125 °C per LSB, left-justified (the low 5 bits of LTCBL read 0); CJTH/CJTL (0x0A/0x0B) the
/// cold junction, 14 bits at 0.015625 °C; SR (0x0F) the fault status. <see cref="Hang"/> blocks every transfer.
/// </summary>
internal sealed class FakeMax31856Spi : SpiDevice
{
    private readonly byte[] _registers =
    [
        0x00, 0x03, 0xFF, 0x7F, 0xC0, 0x7F, 0xFF, 0x80, 0x00, 0x00, // power-on defaults, CR0 .. CJTO
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];

    private readonly List<(byte Address, byte Data)> _writes = [];

    public override SpiConnectionSettings ConnectionSettings { get; } = new(0, 1);

    public IReadOnlyList<(byte Address, byte Data)> Writes => _writes;

    public ManualResetEventSlim Hang { get; } = new(initialState: true);

    public bool Disposed { get; private set; }

    /// <summary>Raw 24-bit LTCBH:LTCBM:LTCBL, for codes a temperature cannot express.</summary>
    public int LinearizedWord
    {
        set
        {
            _registers[0x0C] = (byte)(value >> 16);
            _registers[0x0D] = (byte)(value >> 8);
            _registers[0x0E] = (byte)value;
        }
    }

    public double ThermocoupleCelsius
    {
        set => LinearizedWord = ((int)Math.Round(value * 128) & 0x7FFFF) << 5;
    }

    public double ColdJunctionCelsius
    {
        set
        {
            var code = ((int)Math.Round(value * 64) & 0x3FFF) << 2;
            _registers[0x0A] = (byte)(code >> 8);
            _registers[0x0B] = (byte)code;
        }
    }

    public byte FaultStatus
    {
        set => _registers[0x0F] = value;
    }

    public override void TransferFullDuplex(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Hang.Wait();
        if ((writeBuffer[0] & 0x80) != 0)
        {
            Write(writeBuffer);
            return;
        }
        var address = writeBuffer[0] & 0x0F;
        readBuffer[0] = 0; // SDO is high-impedance while the address byte goes out
        for (var i = 1; i < readBuffer.Length; i++)
        {
            readBuffer[i] = _registers[(address + i - 1) & 0x0F];
        }
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Hang.Wait();
        if ((buffer[0] & 0x80) == 0)
        {
            return;
        }
        var address = buffer[0] & 0x0F;
        for (var i = 1; i < buffer.Length; i++)
        {
            var register = (byte)((address + i - 1) & 0x0F);
            _writes.Add((register, buffer[i]));
            if (register < 0x0C)
            {
                _registers[register] = buffer[i]; // LTCB and SR are read-only
            }
        }
    }

    public override void Read(Span<byte> buffer) => throw new NotSupportedException("the MAX31856 is read with full-duplex transfers");

    public override void WriteByte(byte value) => Write([value]);

    public override byte ReadByte() => throw new NotSupportedException("the MAX31856 is read with full-duplex transfers");

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }
}
