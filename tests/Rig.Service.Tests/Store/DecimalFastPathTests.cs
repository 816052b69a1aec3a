using System.Globalization;
using CsCheck;
using Rig.Service.Store.Chunks;

namespace Rig.Service.Tests.Store;

/// <summary>
/// The chunk encoder's decimal conversions without text (a fold's CPU) give exactly what the text round trip gives:
/// the same shortest mantissa and exponent as "R", the same correctly rounded double as double.Parse.
/// </summary>
public sealed class DecimalFastPathTests
{
    private static readonly double[] Specials = [0.0, -0.0, 1e15, 999_999_999_999_999.9, 5e-324, 0.1 + 0.2, 3.4 + 1e-5, 785.3, 10e6, 2e-7, double.NaN, double.PositiveInfinity];

    /// <summary>Doubles as an instrument reports them (few decimals), as arithmetic makes them, and anything at all.</summary>
    private static readonly Gen<double> Values = Gen.OneOf(
        Gen.Select(Gen.Long[-1_000_000_000_000, 1_000_000_000_000], Gen.Int[0, 15], (m, k) => m / Math.Pow(10, k)),
        Gen.Select(Gen.Double[-1e6, 1e6], Gen.Int[0, 9], (x, d) => Math.Round(x, d)),
        Gen.Select(Gen.Int[1, 1_000_000], Gen.Double[1e-7, 1e-3], (t, step) => t * step),
        Gen.Double[-1e16, 1e16],
        Gen.Double,
        Gen.Int[0, 11].Select(i => Specials[i]));

    [Fact]
    public void Shortest_decimal_without_text_is_the_same_as_by_text()
    {
        Values.Sample(value =>
        {
            var fast = DoubleColumn.TryShortestDecimal(value, out var m1, out var e1);
            var text = DoubleColumn.TryShortestDecimalByText(value, out var m2, out var e2);
            Assert.Equal(text, fast);
            Assert.Equal((m2, e2), (m1, e1));
        }, iter: 20_000);
    }

    [Fact]
    public void Decimal_to_double_without_text_is_correctly_rounded_like_parse()
    {
        Gen.Select(Gen.Long[-(1L << 53) + 1, (1L << 53) - 1], Gen.Int[-22, 22]).Sample((m, e) =>
        {
            Assert.Equal(double.Parse(string.Create(CultureInfo.InvariantCulture, $"{m}E{e}"), CultureInfo.InvariantCulture), DoubleColumn.FromDecimal(m, e));
        }, iter: 20_000);
    }
}
