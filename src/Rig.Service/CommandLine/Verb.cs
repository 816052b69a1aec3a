using Microsoft.Extensions.Configuration;

namespace Rig.Service.CommandLine;

/// <summary>
/// A command run instead of the service (<c>Rig.Service loadcell tare ch1</c>).
/// </summary>
/// <param name="Name">The first argument that selects it.</param>
/// <param name="Usage">Its synopsis, shown by <c>--help</c>.</param>
/// <param name="Summary">One line on what it does, shown by <c>--help</c>.</param>
/// <param name="HoldsStateDirectory">The verb drives hardware or writes state, so it takes the state directory's
/// lock like the service and refuses to run beside it.</param>
/// <param name="Run">Runs it with the whole argument list (the verb included) and returns the exit code.</param>
public sealed record Verb(string Name, string Usage, string Summary, bool HoldsStateDirectory, Func<string[], IConfiguration, Task<int>> Run);
