using System.Device.I2c;

namespace Rig.Drivers.LoadCells;

/// <summary>
/// One device on an I2C bus that other channel loops share (several NAU7802s behind one TCA9548A). The mux
/// selects its channel and then talks to the chip in two separate transfers; two loops interleaving those would
/// read one clamp through another's channel. Every transfer here holds the bus's lock for its whole duration.
/// </summary>
public sealed class SharedBusI2cDevice : I2cDevice
{
    private readonly I2cDevice _inner;
    private readonly Lock _bus;

    public SharedBusI2cDevice(I2cDevice inner, Lock busLock)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _bus = busLock ?? throw new ArgumentNullException(nameof(busLock));
    }

    public override I2cConnectionSettings ConnectionSettings => _inner.ConnectionSettings;

    public override byte ReadByte()
    {
        lock (_bus)
        {
            return _inner.ReadByte();
        }
    }

    public override void Read(Span<byte> buffer)
    {
        lock (_bus)
        {
            _inner.Read(buffer);
        }
    }

    public override void WriteByte(byte value)
    {
        lock (_bus)
        {
            _inner.WriteByte(value);
        }
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        lock (_bus)
        {
            _inner.Write(buffer);
        }
    }

    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        lock (_bus)
        {
            _inner.WriteRead(writeBuffer, readBuffer);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
