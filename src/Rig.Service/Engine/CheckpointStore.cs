using System.Text.Json;

namespace Rig.Service.Engine;

/// <summary>
/// One small JSON checkpoint per channel under &lt;state dir&gt;/checkpoints, written atomically: temp file, flush to
/// disk (fsync), rename over the old one. A crash leaves either the old or the new checkpoint, never half of one.
/// </summary>
public sealed class CheckpointStore
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };
    private readonly string _directory;

    public CheckpointStore(string directory)
    {
        _directory = directory;
        Directory.CreateDirectory(directory);
    }

    public void Save(EngineState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var path = PathFor(state.ChannelId);
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.None))
        {
            JsonSerializer.Serialize(stream, state, Json);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Every readable checkpoint; files that cannot be read are listed in <paramref name="unreadable"/>, never thrown.</summary>
    public IReadOnlyList<EngineState> LoadAll(out IReadOnlyList<string> unreadable)
    {
        var states = new List<EngineState>();
        var bad = new List<string>();
        foreach (var file in Directory.EnumerateFiles(_directory, "*.json"))
        {
            try
            {
                if (JsonSerializer.Deserialize<EngineState>(File.ReadAllText(file), Json) is { } state)
                {
                    states.Add(state);
                }
            }
            catch (Exception ex) when (ex is JsonException or IOException)
            {
                bad.Add($"{file}: {ex.Message}");
            }
        }
        unreadable = bad;
        return states;
    }

    private string PathFor(string channelId)
    {
        if (channelId.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || channelId.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"channel id '{channelId}' cannot name a file", nameof(channelId));
        }
        return Path.Combine(_directory, channelId + ".json");
    }
}
