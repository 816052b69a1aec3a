using System.Device.I2c;

namespace Rig.Drivers.LoadCells.Simulated;

/// <summary>
/// An I2C bus with a TCA9548A at 0x70 and one <see cref="SimulatedNau7802"/> on each of its channels. The mux
/// register (one byte, a bit per channel) routes every transfer to 0x2A to the chip on the selected channel, so a
/// driver that forgot to select its channel talks to the wrong clamp, as on the real bus. Counts mux writes.
/// </summary>
public sealed class SimulatedMuxedBus : I2cBus
{
    public const int MuxAddress = 0x70;
    private readonly SimulatedNau7802[] _chips;

    public SimulatedMuxedBus(int channels = 8)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(channels, 8);
        _chips = [.. Enumerable.Range(0, channels).Select(_ => new SimulatedNau7802())];
    }

    /// <summary>The mux's control register: bit n set = downstream channel n connected.</summary>
    public byte Selection { get; private set; }

    public int SelectionWrites { get; private set; }

    public SimulatedNau7802 Chip(int channel) => _chips[channel];

    public override I2cDevice CreateDevice(int deviceAddress) => deviceAddress switch
    {
        MuxAddress => new MuxRegister(this),
        Nau7802.Nau7802.DefaultI2cAddress => new Routed(this),
        _ => throw new IOException($"no device at 0x{deviceAddress:X2}"),
    };

    public override void RemoveDevice(int deviceAddress)
    {
    }

    private SimulatedNau7802 Selected()
    {
        var channel = System.Numerics.BitOperations.TrailingZeroCount(Selection);
        if (Selection == 0 || (Selection & (Selection - 1)) != 0 || channel >= _chips.Length)
        {
            throw new IOException($"no acknowledge from 0x2A (mux selection 0x{Selection:X2})");
        }
        return _chips[channel];
    }

    private sealed class MuxRegister(SimulatedMuxedBus bus) : I2cDevice
    {
        public override I2cConnectionSettings ConnectionSettings { get; } = new(1, MuxAddress);
        public override byte ReadByte() => bus.Selection;
        public override void Read(Span<byte> buffer) => buffer.Fill(bus.Selection);
        public override void WriteByte(byte value)
        {
            bus.Selection = value;
            bus.SelectionWrites++;
        }
        public override void Write(ReadOnlySpan<byte> buffer) => WriteByte(buffer[^1]);
        public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
        {
            Write(writeBuffer);
            Read(readBuffer);
        }
    }

    private sealed class Routed(SimulatedMuxedBus bus) : I2cDevice
    {
        public override I2cConnectionSettings ConnectionSettings { get; } = new(1, Nau7802.Nau7802.DefaultI2cAddress);
        public override byte ReadByte() => bus.Selected().ReadByte();
        public override void Read(Span<byte> buffer) => bus.Selected().Read(buffer);
        public override void WriteByte(byte value) => bus.Selected().WriteByte(value);
        public override void Write(ReadOnlySpan<byte> buffer) => bus.Selected().Write(buffer);
        public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer) => bus.Selected().WriteRead(writeBuffer, readBuffer);
    }
}
