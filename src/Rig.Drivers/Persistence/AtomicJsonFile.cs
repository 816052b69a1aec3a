using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Rig.Files;

namespace Rig.Drivers.Persistence;

/// <summary>
/// Small settings files that must survive a power cut whole: written to a temporary file, flushed to disk, then
/// renamed over the old one, so a reader finds the old content or the new, never half of either.
/// </summary>
public static class AtomicJsonFile
{
    /// <summary>Settings files are a few hundred bytes; a larger one is not ours (read bounded, <see cref="BoundedFile"/>).</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>
    /// The options every such file is written with: indented, human text unescaped. Give them to the caller's
    /// source-generated context (<c>new MyJsonContext(AtomicJsonFile.CreateOptions())</c>): typed metadata, no
    /// reflection, so a trimmed build keeps every property it writes.
    /// </summary>
    public static JsonSerializerOptions CreateOptions() => new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write<T>(string path, T value, JsonTypeInfo<T> json)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(path);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, value, json);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The file's content, or default when there is no file; a file that does not parse throws <see cref="InvalidDataException"/>.</summary>
    public static T? Read<T>(string path, JsonTypeInfo<T> json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (!File.Exists(path))
        {
            return default;
        }
        try
        {
            return JsonSerializer.Deserialize(BoundedFile.ReadAllText(path, MaxBytes), json) ?? throw new InvalidDataException($"{path} is empty");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }
    }
}
