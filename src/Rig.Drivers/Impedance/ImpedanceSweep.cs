using UnitsNet;

namespace Rig.Drivers.Impedance;

/// <summary>
/// One impedance sweep as the paper runs it (Methods, EIS: 1 MHz to 1 Hz, 30 mV a.c.): log-spaced frequencies from
/// <paramref name="Start"/> to <paramref name="End"/> (either direction) with <paramref name="PointsPerDecade"/>,
/// both ends included, at <paramref name="Amplitude"/> (r.m.s.) on <paramref name="Bias"/>, each point integrated
/// for at least <paramref name="Integration"/> and never fewer than <see cref="MinimumCycles"/> cycles.
/// </summary>
public sealed record ImpedanceSweep(
    Frequency Start,
    Frequency End,
    int PointsPerDecade,
    ElectricPotential Amplitude,
    ElectricPotential Bias,
    TimeSpan Integration)
{
    /// <summary>Cycles integrated at least at each frequency (a 1 Hz point takes at least this many seconds).</summary>
    public const int MinimumCycles = 1;

    /// <summary>The paper's sweep: 1 MHz to 1 Hz, 10 points per decade (61 points), 30 mV, no bias, 1 cycle minimum.</summary>
    public static ImpedanceSweep Paper { get; } = new(
        Frequency.FromMegahertz(1), Frequency.FromHertz(1), 10, ElectricPotential.FromMillivolts(30), ElectricPotential.Zero, TimeSpan.FromMilliseconds(100));

    /// <summary>Problems with the sweep, each naming its field; empty when it is usable on a Solartron 1260.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Start.Hertz is < 1e-5 or > 32e6 || double.IsNaN(Start.Hertz))
        {
            problems.Add($"start {Start}: must be 10 µHz to 32 MHz");
        }
        if (End.Hertz is < 1e-5 or > 32e6 || double.IsNaN(End.Hertz))
        {
            problems.Add($"end {End}: must be 10 µHz to 32 MHz");
        }
        if (PointsPerDecade is < 1 or > 100)
        {
            problems.Add($"points per decade {PointsPerDecade}: must be 1-100");
        }
        if (Amplitude.Volts is <= 0 or > 3 || double.IsNaN(Amplitude.Volts))
        {
            problems.Add($"amplitude {Amplitude}: must be above 0 and at most 3 V r.m.s.");
        }
        if (Math.Abs(Bias.Volts) > 40.95 || double.IsNaN(Bias.Volts))
        {
            problems.Add($"bias {Bias}: must be within ±40.95 V");
        }
        if (Integration < TimeSpan.Zero || Integration > TimeSpan.FromMinutes(10))
        {
            problems.Add($"integration {Integration}: must be 0 to 10 min");
        }
        return problems;
    }

    /// <summary>
    /// The sweep's frequencies, in the order measured: f_k = start·10^(±k/ppd), k = 0..n, where n rounds the number of
    /// decades times ppd (at least 1 unless start equals end) (so 1 MHz to 1 Hz at 10 per decade is 61 points and ends exactly on 1 Hz).
    /// </summary>
    public IReadOnlyList<Frequency> Frequencies()
    {
        var decades = Math.Log10(End.Hertz / Start.Hertz);
        if (decades == 0)
        {
            return [Start];
        }
        // At least one step, so a range narrower than half a step still ends on the frequency asked for.
        var steps = Math.Max(1, (int)Math.Round(Math.Abs(decades) * PointsPerDecade));
        var list = new List<Frequency>(steps + 1);
        for (var k = 0; k <= steps; k++)
        {
            list.Add(Frequency.FromHertz(Start.Hertz * Math.Pow(10, decades * k / steps)));
        }
        return list;
    }

    /// <summary>How long the analyser needs at least for one point: the integration time, or the minimum cycles.</summary>
    public TimeSpan MeasuringTime(Frequency frequency)
    {
        var cycles = TimeSpan.FromSeconds(MinimumCycles / frequency.Hertz);
        return cycles > Integration ? cycles : Integration;
    }
}
