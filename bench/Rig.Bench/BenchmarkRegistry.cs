namespace Rig.Bench;

/// <summary>One benchmark: prints its figures to stdout.</summary>
internal sealed record Benchmark(string Name, string Description, Func<Task> RunAsync);

/// <summary>Every benchmark the project has; each area adds its line.</summary>
internal static class BenchmarkRegistry
{
    public static IReadOnlyList<Benchmark> All { get; } =
    [
        new("sim-cell", "simulated cell integration rate (steps per second)", SimulatedCellBench.RunAsync),
        new("loadcell", "NAU7802 sampling path: readings per second per clamp and for 8 clamps on one mux", LoadCellBench.RunAsync),
    ];
}
