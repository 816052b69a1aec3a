using System.Device.I2c;

namespace Rig.Drivers.Tests.Thermal;

/// <summary>
/// The MCP9600/9601 register map over I2C (datasheet section 5): a register pointer written first, then reads
/// from it. TH (0x00) holds the hot-junction temperature, 0.0625 °C per LSB; STATUS is 0x04.
/// </summary>
internal sealed class FakeMcp960xI2c : I2cDevice
{
    private readonly byte[] _registers = new byte[0x21];
    private int _pointer;

    public override I2cConnectionSettings ConnectionSettings { get; } = new(1, 0x60);

    public double HotJunctionCelsius
    {
        set
        {
            var raw = (int)Math.Round(value * 16);
            _registers[0] = (byte)((raw >> 8) & 0xFF);
            _registers[1] = (byte)(raw & 0xFF);
        }
    }

    public byte Status
    {
        get => _registers[4];
        set => _registers[4] = value;
    }

    public override byte ReadByte() => _registers[_pointer];

    public override void Read(Span<byte> buffer)
    {
        for (var i = 0; i < buffer.Length; i++)
        {
            buffer[i] = _registers[(_pointer + i) % _registers.Length];
        }
    }

    public override void WriteByte(byte value) => _pointer = value;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _pointer = buffer[0];
        buffer[1..].CopyTo(_registers.AsSpan(_pointer));
    }

    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Write(writeBuffer);
        Read(readBuffer);
    }
}
