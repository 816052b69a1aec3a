using Rig.Files;

namespace Rig.Service.Engine.Protocols;

/// <summary>
/// The paper's protocols shipped as files in &lt;app&gt;/Presets (copied there by the build): a preset's name is its
/// file name without ".json" (e.g. "anode-free-full-cell").
/// </summary>
public sealed class PresetLibrary
{
    /// <summary>The shipped presets are 1-2 kB; a file larger than this is not a protocol (or a link to /dev/zero).</summary>
    public const int MaxBytes = 256 * 1024;

    private readonly string _directory;

    public PresetLibrary(string? directory = null)
    {
        _directory = directory ?? Path.Combine(AppContext.BaseDirectory, "Presets");
    }

    public IReadOnlyList<string> Names() =>
        Directory.Exists(_directory)
            ? [.. Directory.EnumerateFiles(_directory, "*.json").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal)]
            : [];

    /// <summary>
    /// The preset's protocol text, or null when there is no such preset. A file that cannot be read within its
    /// bounds (size, time) is a <see cref="ProtocolException"/> naming it.
    /// </summary>
    public string? Text(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.Contains("..", StringComparison.Ordinal))
        {
            return null;
        }
        var path = Path.Combine(_directory, name + ".json");
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            return BoundedFile.ReadAllText(path, MaxBytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            // BoundedFile's own words name the file and the reason; anything else is the runtime's and stays in the log.
            var why = ex is InvalidDataException ? ex.Message : $"{path}: not readable by the service";
            throw new ProtocolException([new ProtocolError($"preset {name}", "", $"cannot be read: {why}")]);
        }
    }
}
