using System.Device.Spi;

namespace Rig.Drivers.Tests.Thermal;

/// <summary>
/// The MAX31865's SPI register map (datasheet Table 1): reads at 0x00-0x07 auto-increment, writes at
/// address | 0x80. A one-shot conversion (configuration D5) loads the RTD register from <see cref="RtdOhms"/>
/// and, if <see cref="FaultOnConversion"/> is set, raises those fault status bits and the RTD LSB fault flag.
/// Writing the fault-clear bit (D1) clears the status. <see cref="Hang"/> blocks every transfer until released.
/// </summary>
internal sealed class FakeMax31865Spi : SpiDevice
{
    private readonly byte[] _registers = new byte[8];
    private readonly double _referenceOhms;

    public FakeMax31865Spi(double referenceOhms)
    {
        _referenceOhms = referenceOhms;
        _registers[3] = 0xFF; // high fault threshold MSB/LSB power-on 0xFFFF
        _registers[4] = 0xFF;
    }

    public double RtdOhms { get; set; } = 100;

    public byte FaultOnConversion { get; set; }

    public ManualResetEventSlim Hang { get; } = new(initialState: true);

    public int Conversions { get; private set; }

    public byte Configuration => _registers[0];

    public override SpiConnectionSettings ConnectionSettings { get; } = new(0, 0);

    public override void TransferFullDuplex(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Hang.Wait();
        var address = writeBuffer[0] & 0x7F;
        readBuffer[0] = 0;
        for (var i = 1; i < readBuffer.Length; i++)
        {
            readBuffer[i] = _registers[(address + i - 1) % _registers.Length];
        }
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Hang.Wait();
        if ((buffer[0] & 0x80) == 0 || buffer.Length < 2)
        {
            return;
        }
        var address = buffer[0] & 0x7F;
        if (address != 0)
        {
            buffer[1..].CopyTo(_registers.AsSpan(address));
            return;
        }
        var configuration = buffer[1];
        if ((configuration & 0x02) != 0)
        {
            _registers[7] = 0; // fault status auto-clear
        }
        _registers[0] = (byte)(configuration & ~0x22); // D5 one-shot and D1 clear are self-clearing
        if ((configuration & 0x20) != 0)
        {
            Convert();
        }
    }

    public override void Read(Span<byte> buffer) => throw new NotSupportedException("the MAX31865 binding only uses full-duplex transfers");

    public override void WriteByte(byte value) => Write([value]);

    public override byte ReadByte() => throw new NotSupportedException("the MAX31865 binding only uses full-duplex transfers");

    private void Convert()
    {
        Conversions++;
        var code = (int)Math.Round(RtdOhms / _referenceOhms * 32768);
        code = Math.Clamp(code, 0, 0x7FFF);
        var fault = FaultOnConversion != 0 ? 1 : 0;
        _registers[1] = (byte)(code >> 7);
        _registers[2] = (byte)(((code & 0x7F) << 1) | fault);
        _registers[7] = FaultOnConversion;
    }
}
