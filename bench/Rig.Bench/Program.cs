using Rig.Bench;

// Benchmarks print figures; they never assert timings. Usage: dotnet run -c Release --project bench/Rig.Bench -- [name|all]
var benchmarks = BenchmarkRegistry.All;
var selected = args.Length == 0 || args[0] == "all"
    ? benchmarks
    : benchmarks.Where(b => args.Contains(b.Name, StringComparer.OrdinalIgnoreCase)).ToList();
if (selected.Count == 0)
{
    Console.Error.WriteLine($"Unknown benchmark. Known: {string.Join(", ", benchmarks.Select(b => b.Name))}");
    return 2;
}
foreach (var benchmark in selected)
{
    Console.WriteLine($"== {benchmark.Name}: {benchmark.Description}");
    await benchmark.RunAsync();
    Console.WriteLine();
}
return 0;
