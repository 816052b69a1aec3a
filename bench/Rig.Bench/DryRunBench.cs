using Rig.Service.Configuration;
using Rig.Service.Engine.Protocols;
using Rig.Service.Engine.Simulation;

namespace Rig.Bench;

/// <summary>
/// Issue 21: how long a dry run of each shipped preset takes on its twin (target: the 400-cycle full cell under 5 s).
/// The first preset run in the process pays the JIT (as the CLI's dry run does); the full cell is run again at the
/// end, warm, as a dry run in the running service is. The load average is printed beside the figures because the
/// machine it runs on is shared.
/// </summary>
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
            Print(name, prediction);
        }
        var full = ProtocolCompiler.Compile(presets.Text("anode-free-full-cell")!);
        var warm = await DryRunner.RunAsync(full, "ch1", new ChannelOptions { Cell = new CellOptions { Chemistry = CellChemistry.AnodeFreeFullCell } },
            new DryRunOptions { WallTimeLimit = TimeSpan.FromMinutes(5) });
        Print("anode-free-full-cell (warm)", warm);
        Console.WriteLine($"load average: {LoadAverage()}");
    }

    private static void Print(string name, DryRunPrediction prediction) =>
        Console.WriteLine(FormattableString.Invariant(
                $"{name}: {prediction.WallSeconds:0.00} s wall, {prediction.Samples:N0} samples; predicts {Duration(prediction.DurationSeconds)}, {prediction.Cycles} cycles, {prediction.FinalState}{(prediction.CyclesTo80PercentRetention is { } c80 ? $", 80 % at cycle {c80}" : "")}{(prediction.CriticalCurrentDensity is { } ccd ? $", CCD {ccd:0.0} mA/cm²" : "")}"));

    // Minutes for the short techniques (an LSV, a DC polarization), days for the cycling tests.
    private static string Duration(double seconds) => seconds switch
    {
        < 3600 => FormattableString.Invariant($"{seconds / 60:0.#} min"),
        < 2 * 86400 => FormattableString.Invariant($"{seconds / 3600:0.##} h"),
        _ => FormattableString.Invariant($"{seconds / 86400:0.00} d"),
    };

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
