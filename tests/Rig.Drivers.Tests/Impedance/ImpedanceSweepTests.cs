using CsCheck;
using Rig.Drivers.Impedance;
using Rig.Drivers.Impedance.Gpib;
using UnitsNet;

namespace Rig.Drivers.Tests.Impedance;

public sealed class ImpedanceSweepTests
{
    [Fact]
    public void The_papers_sweep_is_61_log_spaced_points_ending_exactly_on_1_Hz()
    {
        var frequencies = ImpedanceSweep.Paper.Frequencies();

        Assert.Equal(61, frequencies.Count);
        Assert.Equal(1e6, frequencies[0].Hertz);
        Assert.Equal(1.0, frequencies[^1].Hertz, 1e-12);
        Assert.Equal(1e5, frequencies[10].Hertz, 1e-6);
    }

    [Fact]
    public void Any_sweep_has_decades_times_points_per_decade_plus_one_points_monotonic_and_evenly_log_spaced()
    {
        Gen.Select(Gen.Double[-4, 7], Gen.Double[-4, 7], Gen.Int[1, 50]).Where((s, e, ppd) => s != e && !NearHalfStep(s, e, ppd)).Sample((startExp, endExp, ppd) =>
        {
            var sweep = ImpedanceSweep.Paper with
            {
                Start = Frequency.FromHertz(Math.Pow(10, startExp)),
                End = Frequency.FromHertz(Math.Pow(10, endExp)),
                PointsPerDecade = ppd,
            };
            var f = sweep.Frequencies();
            var expected = sweep.Start.Hertz == sweep.End.Hertz ? 1 : Math.Max(1, (int)Math.Round(Math.Abs(endExp - startExp) * ppd)) + 1;
            Assert.Equal(expected, f.Count);
            Assert.Equal(sweep.Start.Hertz, f[0].Hertz, sweep.Start.Hertz * 1e-9);
            Assert.Equal(sweep.End.Hertz, f[^1].Hertz, sweep.End.Hertz * 1e-9);
            for (var i = 2; i < f.Count; i++)
            {
                var step = Math.Log10(f[i].Hertz / f[i - 1].Hertz);
                Assert.Equal(Math.Log10(f[1].Hertz / f[0].Hertz), step, 1e-9);
            }
        });
    }

    // A range of exactly n + 0.5 steps rounds either way depending on the last bit of the logarithm; such a case
    // tests floating-point rounding, not the sweep.
    private static bool NearHalfStep(double startExp, double endExp, int pointsPerDecade)
    {
        var steps = Math.Abs(endExp - startExp) * pointsPerDecade;
        return Math.Abs(steps - Math.Floor(steps) - 0.5) < 1e-6;
    }

    [Fact]
    public void A_low_frequency_point_takes_at_least_one_cycle()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), ImpedanceSweep.Paper.MeasuringTime(Frequency.FromHertz(0.1)));
        Assert.Equal(ImpedanceSweep.Paper.Integration, ImpedanceSweep.Paper.MeasuringTime(Frequency.FromKilohertz(1)));
    }

    [Fact]
    public void Escaping_for_the_adapter_round_trips_any_text_and_leaves_no_bare_line_end_or_plus()
    {
        Gen.String[Gen.Char['\0', '\x7f'], 0, 40].Sample(text =>
        {
            var escaped = PrologixGpibAdapter.EscapeData(text);
            Assert.Equal(text, PrologixGpibAdapter.UnescapeData(escaped));
            for (var i = 0; i < escaped.Length; i++)
            {
                if (escaped[i] is '\n' or '\r' or '+')
                {
                    Assert.Equal((char)27, escaped[i - 1]);
                }
            }
        });
    }
}
