namespace Rig.Service.Engine.Protocols;

/// <summary>
/// The paper's protocols shipped as files in &lt;app&gt;/Presets (copied there by the build): a preset's name is its
/// file name without ".json" (e.g. "anode-free-full-cell").
/// </summary>
public sealed class PresetLibrary
{
    private readonly string _directory;

    public PresetLibrary(string? directory = null)
    {
        _directory = directory ?? Path.Combine(AppContext.BaseDirectory, "Presets");
    }

    public IReadOnlyList<string> Names() =>
        Directory.Exists(_directory)
            ? [.. Directory.EnumerateFiles(_directory, "*.json").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal)]
            : [];

    /// <summary>The preset's protocol text, or null when there is no such preset.</summary>
    public string? Text(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.Contains("..", StringComparison.Ordinal))
        {
            return null;
        }
        var path = Path.Combine(_directory, name + ".json");
        return File.Exists(path) ? File.ReadAllText(path) : null;
    }
}
