using Microsoft.Extensions.Configuration;
using Rig.Service.Configuration;
using Rig.Service.Store;

namespace Rig.Service.Export;

/// <summary>
/// "dotnet run --project src/Rig.Service -- export &lt;testId&gt; &lt;dir&gt;": writes the test's CSV files from the
/// store and exits, without starting the rig. Works while the service runs (SQLite WAL allows a second reader).
/// </summary>
public static class ExportCommandLine
{
    /// <summary>The exit code if <paramref name="args"/> asked for an export, else null (start the service).</summary>
    public static async Task<int?> TryRunAsync(string[] args, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 0 || !string.Equals(args[0], "export", StringComparison.Ordinal))
        {
            return null;
        }
        // "--Key=value" switches override configuration. They are re-read here because the host's command-line
        // provider takes a positional path such as "/tmp/out" for a "/key value" switch and swallows the next one.
        var positional = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        configuration = new ConfigurationBuilder().AddConfiguration(configuration)
            .AddCommandLine([.. args.Where(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains('=', StringComparison.Ordinal))]).Build();
        args = positional;
        if (args.Length != 3)
        {
            await Console.Error.WriteLineAsync("usage: Rig.Service export <testId> <directory> [--Rig:StateDirectory=<dir>]");
            return 64; // EX_USAGE
        }
        var rig = configuration.GetSection(RigOptions.SectionName).Get<RigOptions>() ?? new RigOptions();
        var storeOptions = configuration.GetSection(StoreOptions.SectionName).Get<StoreOptions>() ?? new StoreOptions();
        var path = Path.Combine(rig.ResolveStateDirectory(), storeOptions.FileName);
        if (!File.Exists(path))
        {
            await Console.Error.WriteLineAsync($"No store at {path} (Rig:StateDirectory, Store:FileName).");
            return 66; // EX_NOINPUT
        }
        try
        {
            StoreIntegrity.Check(path);
        }
        catch (StoreDamagedException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return CommandLine.ExitCodes.DataError;
        }
        if (args[1].Length > 256 || args[1].Any(char.IsControl))
        {
            await Console.Error.WriteLineAsync("usage: Rig.Service export <testId> <directory>: a test id is at most 256 printable characters");
            return CommandLine.ExitCodes.Usage;
        }
        using var store = new RigStore(path, storeOptions.SyncEveryCommit);
        IReadOnlyList<string>? files;
        try
        {
            files = await new BdfExporter(store).ExportAsync(args[1], args[2], CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            // The directory is the caller's: say what is wrong with it, not where in the code it failed.
            await Console.Error.WriteLineAsync($"Cannot write the export to '{args[2]}': {ex.Message}");
            return CommandLine.ExitCodes.CannotCreate;
        }
        if (files is null)
        {
            await Console.Error.WriteLineAsync($"Test '{args[1]}' is not in {path}. Known: {string.Join(", ", store.ListTests().Select(t => t.TestId))}");
            return 66;
        }
        foreach (var file in files)
        {
            Console.WriteLine(file);
        }
        return 0;
    }
}
