using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;

namespace Rig.Service.Composition;

/// <summary>
/// Loads the rig's settings from <c>$CONFIGURATION_DIRECTORY/appsettings.json</c> (systemd sets the variable from
/// <c>ConfigurationDirectory=anodefreerig</c>, i.e. /etc/anodefreerig). When that file exists it REPLACES the
/// appsettings.json shipped beside the binary instead of being layered over it: configuration sections are
/// dictionaries (channels, zones), and layering would silently keep a shipped simulated channel next to the real
/// ones. Environment variables and the command line still override it, as they do the shipped file.
/// </summary>
public static class ConfigurationDirectory
{
    public const string FileName = "appsettings.json";

    /// <summary>The file used, or null when the shipped appsettings.json stays in effect.</summary>
    public static string? UseConfigurationDirectory(this IConfigurationBuilder configuration, string? directory = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var fromSystemd = directory is null;
        directory ??= Environment.GetEnvironmentVariable("CONFIGURATION_DIRECTORY")?.Split(':')[0];
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
