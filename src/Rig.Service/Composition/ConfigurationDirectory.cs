using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;

namespace Rig.Service.Composition;

/// <summary>
/// Loads the rig's settings from <c>$CONFIGURATION_DIRECTORY/appsettings.json</c> (systemd sets the variable from
/// <c>ConfigurationDirectory=anodefreerig</c>, i.e. /etc/anodefreerig) or, when the variable is not set (the program
/// started by hand), from <c>/etc/anodefreerig/appsettings.json</c> if that exists. When that file exists it REPLACES the
/// appsettings.json shipped beside the binary instead of being layered over it: configuration sections are
/// dictionaries (channels, zones), and layering would silently keep a shipped simulated channel next to the real
/// ones. Environment variables and the command line still override it, as they do the shipped file.
/// </summary>
public static class ConfigurationDirectory
{
    public const string FileName = "appsettings.json";

    /// <summary>Where an installed rig keeps its settings (deploy/install.sh).</summary>
    public const string SystemDirectory = "/etc/anodefreerig";

    /// <summary>The file used, or null when the shipped appsettings.json stays in effect.</summary>
    /// <param name="configuration">The host's configuration; its shipped appsettings.json source is replaced.</param>
    /// <param name="directory">The directory to use; null: $CONFIGURATION_DIRECTORY, else <paramref name="systemDirectory"/>.</param>
    /// <param name="systemDirectory">The fallback for a program started by hand (tests pass a scratch directory).</param>
    public static string? UseConfigurationDirectory(this IConfigurationBuilder configuration, string? directory = null, string systemDirectory = SystemDirectory)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var fromSystemd = directory is null && Environment.GetEnvironmentVariable("CONFIGURATION_DIRECTORY") is { Length: > 0 };
        directory ??= fromSystemd ? Environment.GetEnvironmentVariable("CONFIGURATION_DIRECTORY")!.Split(':')[0] : systemDirectory;
        if (string.IsNullOrEmpty(directory))
        {
            return null;
        }
        var path = Path.GetFullPath(Path.Combine(directory, FileName));
        if (!File.Exists(path))
        {
            if (fromSystemd)
            {
                // Before logging exists: stderr goes to the journal. Missing or unreadable (directory mode) alike.
                Console.Error.WriteLine($"No readable {path}: running with the appsettings.json shipped beside the program.");
            }
            return null;
        }
        var source = new JsonConfigurationSource { Path = path, Optional = false, ReloadOnChange = false };
        source.ResolveFileProvider();
        var shipped = configuration.Sources
            .Select((s, index) => (s, index))
            .Where(x => x.s is JsonConfigurationSource { Path: FileName })
            .Select(x => x.index)
            .DefaultIfEmpty(-1)
            .First();
        if (shipped >= 0)
        {
            configuration.Sources[shipped] = source;
        }
        else
        {
            configuration.Sources.Insert(0, source);
        }
        return path;
    }
}

/// <summary>The settings files a configuration actually read, for the start-up log and configuration errors.</summary>
public static class SettingsFiles
{
    public static IReadOnlyList<string> Read(IConfigurationBuilder configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var files = new List<string>();
        foreach (var source in configuration.Sources.OfType<FileConfigurationSource>())
        {
            if (source.Path is null)
            {
                continue;
            }
            var file = source.FileProvider?.GetFileInfo(source.Path);
            if (file is { Exists: true, PhysicalPath: { } physical })
            {
                files.Add(physical);
            }
            else if (Path.IsPathRooted(source.Path) && File.Exists(source.Path))
            {
                files.Add(source.Path);
            }
        }
        return files;
    }

    /// <summary>"/opt/anodefreerig/bin/appsettings.json, environment variables" or the fact that none was read.</summary>
    public static string Describe(IConfigurationBuilder configuration)
    {
        var files = Read(configuration);
        return files.Count == 0
            ? $"no settings file (looked for {ConfigurationDirectory.FileName} beside the program in {AppContext.BaseDirectory} and in {ConfigurationDirectory.SystemDirectory}), environment variables"
            : $"{string.Join(", ", files)}, then environment variables";
    }
}
