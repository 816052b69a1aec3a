using System.Globalization;
using System.Numerics;

namespace Rig.Service.Store.Chunks;

/// <summary>
/// One column of doubles in a chunk, stored bit-exactly in whichever way is shortest for this chunk (3 bits say
/// which): XOR with a prediction (Gorilla-style: leading/trailing zero window) where the prediction is the previous
/// value, the straight line through the two previous values, another column divided by a constant (stack pressure =
/// force / area), or the previous value moved by another column's step (a step's capacity follows the cycle's); or
/// the values' shortest round-trip decimals brought to one exponent, as deltas or deltas of deltas of integers (what
/// an instrument that reports text sends back: 3.412345, 40.012). Every mode is exact by construction (XOR) or
/// verified on encode (decimals), so what decodes is the same 64 bits that went in.
/// </summary>
internal static class DoubleColumn
{
    private const int XorPrevious = 0;
    private const int XorLine = 1;
    private const int DecimalDelta = 2;
    private const int DecimalDeltaOfDelta = 3;
    private const int XorRatio = 4;
    private const int XorFollow = 5;
    private const int ModeBits = 3;

    /// <summary>Writes <paramref name="values"/>; <paramref name="reference"/> (same length, or empty) is a column the reader has already decoded.</summary>
    public static void Write(BitWriter output, ReadOnlySpan<double> values, ReadOnlySpan<double> reference = default)
    {
        if (values.Length == 0)
        {
            return;
        }
        var modes = reference.Length == values.Length ? 6 : 4;
        BitWriter? best = null;
        var bestMode = 0;
        for (var mode = 0; mode < modes; mode++)
        {
            var candidate = new BitWriter(values.Length * 4);
            if (!TryEncode(candidate, values, reference, mode))
            {
                continue;
            }
            if (best is null || candidate.BitCount < best.BitCount)
            {
                best = candidate;
                bestMode = mode;
            }
        }
        output.Write((ulong)bestMode, ModeBits);
        // Re-encode into the output directly (cheaper than copying bits between writers).
        TryEncode(output, values, reference, bestMode);
    }

    public static void Read(ref BitReader input, Span<double> values, ReadOnlySpan<double> reference = default)
    {
        if (values.Length == 0)
        {
            return;
        }
        var mode = (int)input.Read(ModeBits);
        if (mode is XorRatio or XorFollow && reference.Length != values.Length)
        {
            throw new InvalidDataException("Sample chunk corrupt (a column refers to one it does not have).");
        }
        switch (mode)
        {
            case XorPrevious or XorLine:
                ReadXor(ref input, values, mode == XorLine);
                break;
            case DecimalDelta or DecimalDeltaOfDelta:
                ReadDecimal(ref input, values, mode == DecimalDeltaOfDelta);
                break;
            case XorRatio:
                {
                    var divisor = BitConverter.Int64BitsToDouble((long)input.Read(64));
                    int windowLeading = -1, windowTrailing = 0;
                    for (var i = 0; i < values.Length; i++)
                    {
                        var predicted = Ratio(reference[i], divisor, i == 0 ? 0 : values[i - 1]);
                        values[i] = Xor(predicted, ReadXorBits(ref input, ref windowLeading, ref windowTrailing));
                    }
                    break;
                }
            case XorFollow:
                {
                    values[0] = BitConverter.Int64BitsToDouble((long)input.Read(64));
                    int windowLeading = -1, windowTrailing = 0;
                    for (var i = 1; i < values.Length; i++)
                    {
                        var predicted = Follow(values[i - 1], reference[i - 1], reference[i]);
                        values[i] = Xor(predicted, ReadXorBits(ref input, ref windowLeading, ref windowTrailing));
                    }
                    break;
                }
            default:
                throw new InvalidDataException($"Sample chunk corrupt (column mode {mode}).");
        }
    }

    private static bool TryEncode(BitWriter output, ReadOnlySpan<double> values, ReadOnlySpan<double> reference, int mode)
    {
        switch (mode)
        {
            case XorPrevious or XorLine:
                return WriteXor(output, values, line: mode == XorLine);
            case DecimalDelta or DecimalDeltaOfDelta:
                return TryWriteDecimal(output, values, mode == DecimalDeltaOfDelta);
            case XorRatio:
                {
                    var divisor = DivisorOf(values, reference);
                    output.Write((ulong)BitConverter.DoubleToInt64Bits(divisor), 64);
                    Span<double> predicted = values.Length <= 512 ? stackalloc double[values.Length] : new double[values.Length];
                    for (var i = 0; i < values.Length; i++)
                    {
                        predicted[i] = Ratio(reference[i], divisor, i == 0 ? 0 : values[i - 1]);
                    }
                    WriteAgainst(output, values, predicted);
                    return true;
                }
            default:
                {
                    output.Write((ulong)BitConverter.DoubleToInt64Bits(values[0]), 64);
                    Span<double> predicted = values.Length <= 512 ? stackalloc double[values.Length - 1] : new double[values.Length - 1];
                    for (var i = 1; i < values.Length; i++)
                    {
                        predicted[i - 1] = Follow(values[i - 1], reference[i - 1], reference[i]);
                    }
                    WriteAgainst(output, values[1..], predicted);
                    return true;
                }
        }
    }

    /// <summary>The constant the reference column is divided by: taken from the first pair where both are finite and non-zero.</summary>
    private static double DivisorOf(ReadOnlySpan<double> values, ReadOnlySpan<double> reference)
    {
        for (var i = 0; i < values.Length; i++)
        {
            var divisor = reference[i] / values[i];
            if (double.IsFinite(divisor) && divisor != 0)
            {
                return divisor;
            }
        }
        return 1;
    }

    /// <summary>reference / divisor, or the previous value when that is not finite (never a NaN: its bits differ between x64 and arm64).</summary>
    private static double Ratio(double reference, double divisor, double previous)
    {
        var predicted = reference / divisor;
        return double.IsFinite(predicted) ? predicted : previous;
    }

    /// <summary>The previous value moved as far as the reference moved.</summary>
    private static double Follow(double previous, double referenceBefore, double reference)
    {
        var predicted = previous + (reference - referenceBefore);
        return double.IsFinite(predicted) ? predicted : previous;
    }

    /// <summary>Gorilla XOR of each value against its prediction.</summary>
    private static void WriteAgainst(BitWriter output, ReadOnlySpan<double> values, ReadOnlySpan<double> predicted)
    {
        int windowLeading = -1, windowTrailing = 0;
        for (var i = 0; i < values.Length; i++)
        {
            WriteXorBits(output, (ulong)BitConverter.DoubleToInt64Bits(values[i]) ^ (ulong)BitConverter.DoubleToInt64Bits(predicted[i]), ref windowLeading, ref windowTrailing);
        }
    }

    private static double Xor(double predicted, ulong xor) => BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(predicted) ^ (long)xor);

    private static void WriteXorBits(BitWriter output, ulong xor, ref int windowLeading, ref int windowTrailing)
    {
        if (xor == 0)
        {
            output.WriteBit(false);
            return;
        }
        output.WriteBit(true);
        var leading = BitOperations.LeadingZeroCount(xor);
        var trailing = BitOperations.TrailingZeroCount(xor);
        if (windowLeading >= 0 && leading >= windowLeading && trailing >= windowTrailing)
        {
            output.WriteBit(false);
            output.Write(xor >> windowTrailing, 64 - windowLeading - windowTrailing);
            return;
        }
        output.WriteBit(true);
        var length = 64 - leading - trailing;
        output.Write((ulong)leading, 6);
        output.Write((ulong)(length - 1), 6);
        output.Write(xor >> trailing, length);
        windowLeading = leading;
        windowTrailing = trailing;
    }

    private static ulong ReadXorBits(ref BitReader input, ref int windowLeading, ref int windowTrailing)
    {
        if (!input.ReadBit())
        {
            return 0;
        }
        if (!input.ReadBit())
        {
            if (windowLeading < 0)
            {
                throw new InvalidDataException("Sample chunk corrupt (XOR window).");
            }
            return input.Read(64 - windowLeading - windowTrailing) << windowTrailing;
        }
        var leading = (int)input.Read(6);
        var length = (int)input.Read(6) + 1;
        var trailing = 64 - leading - length;
        if (trailing < 0)
        {
            throw new InvalidDataException("Sample chunk corrupt (XOR length).");
        }
        windowLeading = leading;
        windowTrailing = trailing;
        return input.Read(length) << trailing;
    }

    /// <summary>The predicted value: the previous one, or the line through the previous two when it is finite (never a NaN, whose bits differ between x64 and arm64).</summary>
    private static double Predict(double previous, double beforePrevious, bool line, int index)
    {
        if (!line || index < 2)
        {
            return previous;
        }
        var predicted = (2 * previous) - beforePrevious;
        return double.IsFinite(predicted) ? predicted : previous;
    }

    private static bool WriteXor(BitWriter output, ReadOnlySpan<double> values, bool line)
    {
        output.Write((ulong)BitConverter.DoubleToInt64Bits(values[0]), 64);
        int windowLeading = -1, windowTrailing = 0;
        for (var i = 1; i < values.Length; i++)
        {
            var predicted = Predict(values[i - 1], i >= 2 ? values[i - 2] : 0, line, i);
            WriteXorBits(output, (ulong)BitConverter.DoubleToInt64Bits(values[i]) ^ (ulong)BitConverter.DoubleToInt64Bits(predicted), ref windowLeading, ref windowTrailing);
        }
        return true;
    }

    private static void ReadXor(ref BitReader input, Span<double> values, bool line)
    {
        values[0] = BitConverter.Int64BitsToDouble((long)input.Read(64));
        int windowLeading = -1, windowTrailing = 0;
        for (var i = 1; i < values.Length; i++)
        {
            var predicted = Predict(values[i - 1], i >= 2 ? values[i - 2] : 0, line, i);
            values[i] = Xor(predicted, ReadXorBits(ref input, ref windowLeading, ref windowTrailing));
        }
    }

    /// <summary>
    /// Every value as its shortest round-trip decimal m·10^e, brought to the chunk's smallest e (so all are integers at
    /// one scale), then integer deltas. Refused (false) for -0, infinities, or when a scaled mantissa leaves 64 bits.
    /// </summary>
    private static bool TryWriteDecimal(BitWriter output, ReadOnlySpan<double> values, bool deltaOfDelta)
    {
        Span<long> mantissas = values.Length <= 512 ? stackalloc long[values.Length] : new long[values.Length];
        Span<int> exponents = values.Length <= 512 ? stackalloc int[values.Length] : new int[values.Length];
        var exponent = int.MaxValue;
        for (var i = 0; i < values.Length; i++)
        {
            if (!TryShortestDecimal(values[i], out mantissas[i], out exponents[i]))
            {
                return false;
            }
            if (mantissas[i] != 0)
            {
                exponent = Math.Min(exponent, exponents[i]);
            }
        }
        if (exponent == int.MaxValue)
        {
            exponent = 0;
        }
        for (var i = 0; i < values.Length; i++)
        {
            if (mantissas[i] == 0)
            {
                continue;
            }
            for (var shift = exponents[i] - exponent; shift > 0; shift--)
            {
                if (Math.Abs(mantissas[i]) > long.MaxValue / 10)
                {
                    return false;
                }
                mantissas[i] *= 10;
            }
            if (FromDecimal(mantissas[i], exponent) != values[i])
            {
                return false;
            }
        }
        if (exponent is < -400 or > 400)
        {
            return false;
        }
        output.WriteSigned(exponent);
        output.WriteSigned(mantissas[0]);
        long previousDelta = 0;
        for (var i = 1; i < mantissas.Length; i++)
        {
            var delta = unchecked(mantissas[i] - mantissas[i - 1]);
            output.WriteSigned(deltaOfDelta ? unchecked(delta - previousDelta) : delta);
            previousDelta = delta;
        }
        return true;
    }

    private static void ReadDecimal(ref BitReader input, Span<double> values, bool deltaOfDelta)
    {
        var exponent = (int)input.ReadSigned();
        var mantissa = input.ReadSigned();
        values[0] = FromDecimal(mantissa, exponent);
        long previousDelta = 0;
        for (var i = 1; i < values.Length; i++)
        {
            var coded = input.ReadSigned();
            var delta = deltaOfDelta ? unchecked(coded + previousDelta) : coded;
            mantissa = unchecked(mantissa + delta);
            values[i] = FromDecimal(mantissa, exponent);
            previousDelta = delta;
        }
    }

    /// <summary>Powers of ten a double holds exactly (10^0 … 10^22).</summary>
    private static readonly double[] ExactPowersOfTen =
        [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

    /// <summary>Mantissas below this (2^53) convert to a double exactly.</summary>
    private const long ExactMantissa = 1L << 53;

    /// <summary>
    /// mantissa × 10^exponent, correctly rounded (what double.Parse of "mantissaEexponent" gives). When both the mantissa
    /// and the power of ten are exact doubles, one multiplication or division rounds once, correctly (Clinger's fast
    /// path): no text round trip, which was most of a chunk fold's CPU. Otherwise by text.
    /// </summary>
    internal static double FromDecimal(long mantissa, int exponent)
    {
        if (mantissa == 0)
        {
            return 0;
        }
        if (mantissa > -ExactMantissa && mantissa < ExactMantissa && exponent >= -22 && exponent <= 22)
        {
            return exponent >= 0 ? mantissa * ExactPowersOfTen[exponent] : mantissa / ExactPowersOfTen[-exponent];
        }
        return FromDecimalByText(mantissa, exponent);
    }

    internal static double FromDecimalByText(long mantissa, int exponent)
    {
        if (mantissa == 0)
        {
            return 0;
        }
        Span<char> text = stackalloc char[40];
        mantissa.TryFormat(text, out var written, provider: CultureInfo.InvariantCulture);
        text[written++] = 'E';
        exponent.TryFormat(text[written..], out var more, provider: CultureInfo.InvariantCulture);
        return double.Parse(text[..(written + more)], NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    /// <summary>Mantissas below this (2^50) are found by rounding value × 10^k: the product's error stays far under ½.</summary>
    private const long SafeMantissa = 1L << 50;

    /// <summary>
    /// The shortest decimal that parses back to <paramref name="value"/> ("R"), as an integer mantissa and a power of ten.
    /// Fast path, for |value| &lt; 10^15 (where "R" writes no exponent for whole numbers): the fewest fraction digits k
    /// (0 … 15) for which round(value × 10^k) / 10^k is exactly <paramref name="value"/> again; the fewest fraction digits
    /// at a fixed magnitude are the fewest significant digits, so it is "R"'s answer, without formatting text.
    /// Anything else (larger, or needing more digits) by text as before.
    /// </summary>
    internal static bool TryShortestDecimal(double value, out long mantissa, out int exponent)
    {
        if (double.IsFinite(value) && !(value == 0 && double.IsNegative(value)) && Math.Abs(value) < 1e15)
        {
            for (var k = 0; k <= 15; k++)
            {
                var scaled = Math.Round(value * ExactPowersOfTen[k]);
                if (Math.Abs(scaled) >= SafeMantissa)
                {
                    break;
                }
                var candidate = (long)scaled;
                if (FromDecimal(candidate, -k) == value)
                {
                    mantissa = candidate;
                    exponent = candidate == 0 ? 0 : -k;
                    return true;
                }
            }
        }
        return TryShortestDecimalByText(value, out mantissa, out exponent);
    }

    internal static bool TryShortestDecimalByText(double value, out long mantissa, out int exponent)
    {
        mantissa = 0;
        exponent = 0;
        if (!double.IsFinite(value) || (value == 0 && double.IsNegative(value)))
        {
            return false;
        }
        Span<char> text = stackalloc char[40];
        if (!value.TryFormat(text, out var written, "R", CultureInfo.InvariantCulture))
        {
            return false;
        }
        text = text[..written];
        var negative = text[0] == '-';
        long digits = 0;
        var fraction = 0;
        var inFraction = false;
        var i = negative ? 1 : 0;
        for (; i < text.Length && text[i] != 'E'; i++)
        {
            if (text[i] == '.')
            {
                inFraction = true;
                continue;
            }
            digits = (digits * 10) + (text[i] - '0');
            if (inFraction)
            {
                fraction++;
            }
        }
        var power = 0;
        if (i < text.Length)
        {
            power = int.Parse(text[(i + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }
        mantissa = negative ? -digits : digits;
        exponent = power - fraction;
        return true;
    }
}
