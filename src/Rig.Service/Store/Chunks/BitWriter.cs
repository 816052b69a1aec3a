using System.Numerics;

namespace Rig.Service.Store.Chunks;

/// <summary>Appends bit fields (most significant bit first) to a growing byte buffer.</summary>
internal sealed class BitWriter
{
    private byte[] _buffer;
    private int _bytes;
    private ulong _pending;
    private int _pendingBits;

    public BitWriter(int capacity = 256) => _buffer = new byte[capacity];

    /// <summary>Bits written so far.</summary>
    public long BitCount => (_bytes * 8L) + _pendingBits;

    /// <summary>Writes the low <paramref name="bits"/> (0-64) of <paramref name="value"/>.</summary>
    public void Write(ulong value, int bits)
    {
        if (bits == 0)
        {
            return;
        }
        if (bits < 64)
        {
            value &= (1UL << bits) - 1;
        }
        while (bits > 0)
        {
            var room = 64 - _pendingBits;
            var take = Math.Min(room, bits);
            var part = take == 64 ? value : (value >> (bits - take)) & ((1UL << take) - 1);
            _pending = take == 64 ? part : (_pending << take) | part;
            _pendingBits += take;
            bits -= take;
            if (_pendingBits == 64)
            {
                FlushPending();
            }
        }
    }

    public void WriteBit(bool bit) => Write(bit ? 1UL : 0UL, 1);

    /// <summary>An unsigned number: 7 bits of length (0-64), then that many bits.</summary>
    public void WriteUnsigned(ulong value)
    {
        var length = 64 - BitOperations.LeadingZeroCount(value);
        Write((ulong)length, 7);
        Write(value, length);
    }

    /// <summary>A signed number cheap near zero: '0' for 0, else '1', 6 bits of (length - 1), the zigzag bits.</summary>
    public void WriteSigned(long value)
    {
        if (value == 0)
        {
            WriteBit(false);
            return;
        }
        var zigzag = (ulong)((value << 1) ^ (value >> 63));
        var length = 64 - BitOperations.LeadingZeroCount(zigzag);
        Write(1, 1);
        Write((ulong)(length - 1), 6);
        Write(zigzag, length);
    }

    /// <summary>The bytes written, the last one padded with zero bits.</summary>
    public byte[] ToArray()
    {
        var tail = (_pendingBits + 7) / 8;
        var result = new byte[_bytes + tail];
        Array.Copy(_buffer, result, _bytes);
        var pending = _pendingBits == 0 ? 0 : _pending << (64 - _pendingBits);
        for (var i = 0; i < tail; i++)
        {
            result[_bytes + i] = (byte)(pending >> (56 - (8 * i)));
        }
        return result;
    }

    private void FlushPending()
    {
        if (_bytes + 8 > _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
        for (var i = 0; i < 8; i++)
        {
            _buffer[_bytes++] = (byte)(_pending >> (56 - (8 * i)));
        }
        _pending = 0;
        _pendingBits = 0;
    }
}
