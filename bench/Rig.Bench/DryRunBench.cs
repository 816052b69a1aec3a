using Rig.Service.Configuration;
using Rig.Service.Engine.Protocols;
using Rig.Service.Engine.Simulation;

namespace Rig.Bench;

/// <summary>Issue 21: how long a dry run of each shipped preset takes on its twin (target: the 400-cycle full cell under 5 s).</summary>
internal static class DryRunBench
{
    public static async Task RunAsync()
    {
        var presets = new PresetLibrary();
        foreach (var name in presets.Names())
        {
            var plan = ProtocolCompiler.Compile(presets.Text(name)!);
            var channel = new ChannelOptions
            {
                Cell = new CellOptions { Chemistry = plan.Chemistry ?? CellChemistry.AnodeFreeHalfCell },
            };
            var prediction = await DryRunner.RunAsync(plan, "ch1", channel, new DryRunOptions { WallTimeLimit = TimeSpan.FromMinutes(5) });
            Console.WriteLine(FormattableString.Invariant(
                $"{name}: {prediction.WallSeconds:0.00} s wall, {prediction.Samples:N0} samples; predicts {prediction.DurationSeconds / 86400:0.00} d, {prediction.Cycles} cycles, {prediction.FinalState}{(prediction.CyclesTo80PercentRetention is { } c80 ? $", 80 % at cycle {c80}" : "")}{(prediction.CriticalCurrentDensity is { } ccd ? $", CCD {ccd:0.0} mA/cm²" : "")}"));
        }
    }
}
