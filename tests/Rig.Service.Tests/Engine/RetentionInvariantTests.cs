using CsCheck;
using Rig.Drivers.Cells;
using Rig.Service.Control;

namespace Rig.Service.Tests.Engine;

/// <summary>
/// Capacity-retention mode on a simulated half cell of constant coulombic efficiency c (ICE = CE = c, no areal-capacity
/// dependence): every cycle plates what the last one stripped and strips c of it, so retention after n cycles past the
/// reference is c^n, whatever the sample period (docs/metrics.md, "Retention = CE^n").
/// </summary>
public sealed class RetentionInvariantTests
{
    [Theory]
    [InlineData(1.0)]
    [InlineData(30.0)]
    public async Task Retention_after_100_cycles_is_ce_to_the_100th_within_a_thousandth(double periodSeconds)
    {
        var retention = await RetentionAfter(0.999, cycles: 100, TimeSpan.FromSeconds(periodSeconds), "1 mA/cm2");

        Assert.InRange(retention / Math.Pow(0.999, 100) - 1, -1e-3, 1e-3);
    }

    [Fact]
    public void Retention_is_ce_to_the_n_within_a_thousandth_at_any_sample_period_and_ce()
    {
        var cases =
            from period in Gen.Double[0.5, 30.0]
            from ce in Gen.Double[0.98, 0.9999]
            from cycles in Gen.Int[3, 12]
            select (period, ce, cycles);
        cases.Sample(c =>
        {
            // 5 mA/cm² (below the cell's CCD at 1 mAh/cm²) keeps a case to seconds of computing.
            var retention = RetentionAfter(c.ce, c.cycles, TimeSpan.FromSeconds(c.period), "5 mA/cm2").GetAwaiter().GetResult();
            var expected = Math.Pow(c.ce, c.cycles);
            Assert.True(Math.Abs(retention / expected - 1) <= 1e-3, $"period {c.period} s, CE {c.ce}, {c.cycles} cycles: retention {retention}, c^n {expected}");
        }, iter: 12, threads: 1);
    }

    /// <summary>The retention of cycle <paramref name="cycles"/> + 1 against cycle 1.</summary>
    private static async Task<double> RetentionAfter(double ce, int cycles, TimeSpan period, string current)
    {
        var rig = SimulatedRig.HalfCell(new HalfCellParameters { CoulombicEfficiency = ce, InitialCoulombicEfficiency = ce, ArealCapacityLossExponent = 0 });
        var engine = rig.Start(SimulatedRig.Preset("plating-stripping-1mAh"), new Dictionary<string, string>
        {
            ["cycles"] = (cycles + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), ["rest"] = "10 s", ["stopBelow"] = "1 %",
            ["current"] = current,
        });
        var run = rig.Runner(period);

        await run.RunAsync(engine, maxSamples: 10_000_000);

        Assert.Equal(RunState.Finished, engine.State.State);
        Assert.Equal(cycles + 1, run.Cycles.Count);
        return run.Cycles[^1].CapacityRetention!.Value;
    }
}
