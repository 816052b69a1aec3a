namespace Rig.Service.Store.Chunks;

/// <summary>Reads the bit fields a <see cref="BitWriter"/> wrote; reading past the end is a corrupt chunk.</summary>
internal ref struct BitReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private long _position;

    public ulong Read(int bits)
    {
        if (bits == 0)
        {
            return 0;
        }
        if (_position + bits > _data.Length * 8L)
        {
            throw new InvalidDataException("Sample chunk truncated.");
        }
        ulong value = 0;
        while (bits > 0)
        {
            var index = (int)(_position >> 3);
            var offset = (int)(_position & 7);
            var available = 8 - offset;
            var take = Math.Min(available, bits);
            var part = (ulong)((_data[index] >> (available - take)) & ((1 << take) - 1));
            value = (value << take) | part;
            bits -= take;
            _position += take;
        }
        return value;
    }

    public bool ReadBit() => Read(1) != 0;

    public ulong ReadUnsigned()
    {
        var length = (int)Read(7);
        if (length > 64)
        {
            throw new InvalidDataException("Sample chunk corrupt (length field).");
        }
        return Read(length);
    }

    public long ReadSigned()
    {
        if (!ReadBit())
        {
            return 0;
        }
        var length = (int)Read(6) + 1;
        var zigzag = Read(length);
        return (long)(zigzag >> 1) ^ -(long)(zigzag & 1);
    }
}
