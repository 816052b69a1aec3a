using Rig.Drivers.Cells;
using Rig.Service.Configuration;
using Rig.Service.Engine.Protocols;
using Rig.Service.Engine.Simulation;

namespace Rig.Service.Tests.Engine;

/// <summary>Issue 21: a twin calibrated from a test recovers the parameters that generated it.</summary>
public class TwinCalibrationTests
{
    [Fact]
    public async Task Calibration_from_a_simulated_full_cell_test_recovers_the_generating_parameters_within_stated_uncertainty()
    {
        var generating = new FullCellParameters
        {
            CathodeCapacityMilliampHoursPerSquareCentimetre = 1.0,
            InitialCoulombicEfficiency = 0.90,
            CoulombicEfficiency = 0.9990,
            CathodeFadePerCycle = 0.002,
            AreaSpecificResistanceOhmSquareCentimetres = 220,
        };
        var parameters = new Dictionary<string, string> { ["cycles"] = "40" };
        var text = SimulatedRig.Preset("anode-free-full-cell");
        var rig = SimulatedRig.FullCell(generating);
        var engine = rig.Start(text, parameters);
        var run = rig.Runner(TimeSpan.FromSeconds(10));
        await run.RunAsync(engine, maxSamples: 10_000_000);
        var channel = new ChannelOptions { Cell = new CellOptions { AreaCm2 = SimulatedRig.AreaCm2, Chemistry = CellChemistry.AnodeFreeFullCell } };

        var fit = await TwinCalibration.FitAsync(ProtocolCompiler.Compile(text, parameters), channel, run.Cycles, run.End, new DryRunConditions(40, 10));

        var fitted = fit.FullCell!;
        Assert.InRange(fitted.CathodeCapacityMilliampHoursPerSquareCentimetre, 0.97, 1.03);
        Assert.InRange(fitted.InitialCoulombicEfficiency, 0.89, 0.91);
        Assert.InRange(fitted.CoulombicEfficiency, 0.9985, 0.9995);
        Assert.InRange(fitted.CathodeFadePerCycle, 0.0015, 0.0025);
        Assert.InRange(fitted.AreaSpecificResistanceOhmSquareCentimetres, 165, 275);
        Assert.True(fit.Residuals.CapacityRmsRelative < 0.01, $"capacity residual {fit.Residuals.CapacityRmsRelative:P2}");
        Assert.Equal(43, fit.Residuals.CyclesCompared);
    }

    [Fact]
    public async Task Calibration_from_a_half_cell_ccd_ramp_that_shorted_recovers_the_generating_ccd_within_one_ramp_step()
    {
        // A cell weaker than the paper's pellet (CCD 3.0 instead of 6.0 mA/cm² at 4 mAh/cm²), ramped until it shorts.
        var generating = new HalfCellParameters { CriticalCurrentDensityMilliampsPerSquareCentimetre = 3.0 };
        var text = SimulatedRig.Preset("ccd-ramp");
        var rig = SimulatedRig.HalfCell(generating);
        var run = rig.Runner(TimeSpan.FromSeconds(10));
        await run.RunAsync(rig.Start(text), maxSamples: 10_000_000);
        Assert.NotNull(run.End!.CriticalCurrentDensityMilliampsPerSquareCentimetre);
        var channel = new ChannelOptions { Cell = new CellOptions { AreaCm2 = SimulatedRig.AreaCm2, Chemistry = CellChemistry.AnodeFreeHalfCell } };

        var fit = await TwinCalibration.FitAsync(ProtocolCompiler.Compile(text), channel, run.Cycles, run.End, new DryRunConditions(25, 10));

        // The stated uncertainty: one step of the ramp (+0.2 mA/cm² per cycle), the resolution the test measures with.
        Assert.InRange(fit.HalfCell!.CriticalCurrentDensityMilliampsPerSquareCentimetre, 2.8, 3.2);
    }
}
