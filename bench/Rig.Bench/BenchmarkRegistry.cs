namespace Rig.Bench;

/// <summary>One benchmark: prints its figures to stdout.</summary>
internal sealed record Benchmark(string Name, string Description, Func<Task> RunAsync);

/// <summary>Every benchmark the project has; each area adds its line.</summary>
internal static class BenchmarkRegistry
{
    public static IReadOnlyList<Benchmark> All { get; } =
    [
        new("sim-cell", "simulated cell integration rate (steps per second)", SimulatedCellBench.RunAsync),
        new("engine", "400-cycle full-cell preset against the simulated rig (wall time, samples per second)", EngineBench.RunAsync),
    ];
}
