using System.Text;
using System.Text.Json;
using Rig.Service.Recording;
using Rig.Files;

namespace Rig.Service.Engine;

/// <summary>
/// Checkpoints as files, used when no store keeps them with the records (<see cref="RecorderJournal"/>) and read at
/// start-up for channels the store has none of (written before the store kept them).
/// One small JSON checkpoint per channel under &lt;state dir&gt;/checkpoints, written atomically: temp file, flush to
/// disk (fsync), rename over the old one. A crash leaves either the old or the new checkpoint, never half of one.
/// Reading is bounded (<see cref="MaxBytes"/>, <see cref="BoundedFile"/>); a file that cannot be resumed is moved aside
/// (<see cref="Reject"/>) so the next start does not meet it again.
/// </summary>
public class CheckpointStore
{
    /// <summary>A checkpoint is a few kB (the protocol text is the largest part); anything larger is not one of ours.</summary>
    public const int MaxBytes = 1024 * 1024;

    private readonly string _directory;

    public CheckpointStore(string directory)
    {
        _directory = directory;
        Directory.CreateDirectory(directory);
    }

    public virtual void Save(EngineState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        Save(new EngineCheckpoint(state.ChannelId, state.TestId, DateTimeOffset.UtcNow, CheckpointJson.Serialize(state)));
    }

    /// <summary>Writes a checkpoint the engine host already serialised (<see cref="CheckpointJson"/>).</summary>
    public virtual void Save(EngineCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var path = PathFor(checkpoint.ChannelId);
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.None))
        {
            stream.Write(Encoding.UTF8.GetBytes(checkpoint.Json));
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>After a failed save: writes, flushes and removes a small file, proof that the directory takes writes again.</summary>
    public virtual void Probe()
    {
        var path = Path.Combine(_directory, ".probe");
        using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.None))
        {
            stream.Write("probe"u8);
            stream.Flush(flushToDisk: true);
        }
        File.Delete(path);
    }

    /// <summary>Every readable checkpoint; files that cannot be read are listed in <paramref name="unreadable"/>, never thrown.</summary>
    public IReadOnlyList<EngineState> LoadAll(out IReadOnlyList<string> unreadable) =>
        [.. LoadFiles(out unreadable).Select(f => f.State)];

    /// <summary>As <see cref="LoadAll"/>, each state with the file it came from.</summary>
    public IReadOnlyList<(string File, EngineState State)> LoadFiles(out IReadOnlyList<string> unreadable)
    {
        var states = new List<(string, EngineState)>();
        var bad = new List<string>();
        foreach (var file in Directory.EnumerateFiles(_directory, "*.json"))
        {
            try
            {
                if (CheckpointJson.Deserialize(BoundedFile.ReadAllText(file, MaxBytes)) is { } state)
                {
                    states.Add((file, state));
                }
                else
                {
                    bad.Add(file);
                }
            }
            catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException or NotSupportedException or InvalidOperationException or InvalidDataException)
            {
                bad.Add(file);
            }
        }
        unreadable = bad;
        return states;
    }

    /// <summary>Moves a checkpoint that cannot be resumed aside ("*.json.rejected", kept for a post-mortem); returns where it went, or why not.</summary>
    public string Reject(string path)
    {
        var target = path + ".rejected";
        try
        {
            if (!File.Exists(path))
            {
                return "(no file)";
            }
            File.Move(path, target, overwrite: true);
            return target;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"{path} (could not be moved aside: {ex.Message})";
        }
    }

    public string PathFor(string channelId)
    {
        if (channelId.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || channelId.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"channel id '{channelId}' cannot name a file", nameof(channelId));
        }
        return Path.Combine(_directory, channelId + ".json");
    }
}
