using System.Text;

namespace Rig.Files;

/// <summary>
/// Reads a small file the service depends on (a preset, a checkpoint, a settings file, a CA certificate) with a
/// bound on its size and on the time the read may take, so a file replaced by a link to /dev/zero, a FIFO or a
/// huge file cannot stall or exhaust the service. Failures are <see cref="InvalidDataException"/> naming the file.
/// </summary>
public static class BoundedFile
{
    /// <summary>The default time bound: a local small file reads in microseconds.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The file's text (UTF-8), at most <paramref name="maxBytes"/> long, read within <paramref name="timeout"/>.</summary>
    public static string ReadAllText(string path, int maxBytes, TimeSpan? timeout = null) =>
        Encoding.UTF8.GetString(ReadAllBytes(path, maxBytes, timeout));

    /// <summary>The file's bytes, at most <paramref name="maxBytes"/>, read within <paramref name="timeout"/>.</summary>
    public static byte[] ReadAllBytes(string path, int maxBytes, TimeSpan? timeout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        // A FIFO, a device or a directory is refused before a byte is read (RegularFile); the time bound stays for a
        // read that hangs anyway (a network file system): off the caller's thread, waited for a bounded time.
        var read = Task.Run(() => Read(path, maxBytes));
        try
        {
            return read.WaitAsync(timeout ?? DefaultTimeout).GetAwaiter().GetResult();
        }
        catch (TimeoutException)
        {
            throw new InvalidDataException($"{path}: not read within {(timeout ?? DefaultTimeout).TotalSeconds:0.#} s (is it a regular file?)");
        }
    }

    private static byte[] Read(string path, int maxBytes)
    {
        using var stream = RegularFile.OpenRead(path, maxBytes);
        var buffer = new byte[Math.Min(maxBytes + 1, 64 * 1024)];
        using var content = new MemoryStream();
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            content.Write(buffer, 0, n);
            if (content.Length > maxBytes)
            {
                throw new InvalidDataException($"{path}: larger than {maxBytes} bytes; refused");
            }
        }
        return content.ToArray();
    }
}
