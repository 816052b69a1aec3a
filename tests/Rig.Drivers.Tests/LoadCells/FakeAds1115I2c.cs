using System.Buffers.Binary;
using System.Device.I2c;

namespace Rig.Drivers.Tests.LoadCells;

/// <summary>
/// The ADS1115 register map over I2C (datasheet section 8.6): a write sets the address pointer (bits 1:0) and, with
/// two more bytes, a 16-bit register MSB first; a read returns the pointed register big-endian. 0x00 conversion
/// (read-only, two's complement), 0x01 config, 0x02/0x03 Lo/Hi_thresh. Writing config with OS = 1 in single-shot
/// mode (MODE = 1) starts a conversion: OS reads 0 for <see cref="BusyPolls"/> config reads, then the conversion
/// register holds <see cref="InputCode"/> and OS reads 1 again.
/// </summary>
internal sealed class FakeAds1115I2c : I2cDevice
{
    private const ushort Os = 0x8000;
    private const ushort SingleShotMode = 0x0100;

    private readonly ushort[] _registers = [0x0000, 0x8583, 0x8000, 0x7FFF]; // power-on values, Table 8-3 .. 8-5
    private readonly List<ushort> _configWrites = [];
    private readonly Lock _lock = new();
    private int _pointer;
    private int _busyPollsLeft;
    private bool _converting;

    public override I2cConnectionSettings ConnectionSettings { get; } = new(1, 0x48);

    /// <summary>The code the next conversion produces (what AIN0-AIN1 would convert to at the configured PGA).</summary>
    public short InputCode { get; set; }

    /// <summary>How many config reads still show OS = 0 after a conversion starts.</summary>
    public int BusyPolls { get; set; } = 3;

    /// <summary>A conversion that starts never ends (OS stays 0).</summary>
    public bool ConversionNeverEnds { get; set; }

    /// <summary>No ACK at the address: every transfer throws, as the Linux I2C driver does.</summary>
    public bool Nacks { get; set; }

    public bool Disposed { get; private set; }

    public ushort Config => _registers[1];

    public ushort LowThreshold => _registers[2];

    public ushort HighThreshold => _registers[3];

    public IReadOnlyList<ushort> ConfigWrites
    {
        get
        {
            lock (_lock)
            {
                return [.. _configWrites];
            }
        }
    }

    public override byte ReadByte() => throw new NotSupportedException("the ADS1115 binding reads registers two bytes at a time");

    public override void Read(Span<byte> buffer)
    {
        lock (_lock)
        {
            ThrowIfNack();
            var register = _registers[_pointer];
            if (_pointer == 1 && _converting)
            {
                if (_busyPollsLeft > 0 || ConversionNeverEnds)
                {
                    _busyPollsLeft--;
                    register = (ushort)(register & ~Os);
                }
                else
                {
                    _converting = false;
                    _registers[0] = (ushort)InputCode;
                }
            }
            Span<byte> bytes = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(bytes, register);
            for (var i = 0; i < buffer.Length; i++)
            {
                buffer[i] = bytes[i % 2];
            }
        }
    }

    public override void WriteByte(byte value) => Write([value]);

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        lock (_lock)
        {
            ThrowIfNack();
            _pointer = buffer[0] & 0x03;
            if (buffer.Length < 3 || _pointer == 0)
            {
                return; // pointer only; the conversion register is read-only
            }
            var word = BinaryPrimitives.ReadUInt16BigEndian(buffer[1..3]);
            if (_pointer != 1)
            {
                _registers[_pointer] = word;
                return;
            }
            _configWrites.Add(word);
            _registers[1] = (ushort)(word | Os); // OS reads back 1 when no conversion runs
            if ((word & Os) != 0 && (word & SingleShotMode) != 0)
            {
                _converting = true;
                _busyPollsLeft = BusyPolls;
            }
        }
    }

    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Write(writeBuffer);
        Read(readBuffer);
    }

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }

    private void ThrowIfNack()
    {
        if (Nacks)
        {
            throw new IOException("Error 121 performing I2C data transfer."); // EREMOTEIO, what a NACK looks like on Linux
        }
    }
}
