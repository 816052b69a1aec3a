using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Rig.Service.CommandLine;

/// <summary>
/// One rig per state directory: an exclusive flock(2) on <c>&lt;state&gt;/rig.lock</c>, held for the life of the
/// process and released by the kernel however the process ends (even SIGKILL or a power cut leaves no stale lock).
/// The file holds the owner's pid and start time so the refused instance can name it.
/// The lock is taken through libc, not FileStream: .NET's own advisory locks on FileStream (LOCK_SH for every
/// shared open) would make the second instance fail to read the holder's line, and a runtime switch can turn them off.
/// </summary>
public sealed partial class StateDirectoryLock : IDisposable
{
    public const string FileName = "rig.lock";

    private readonly SafeFileHandle _handle;

    private StateDirectoryLock(SafeFileHandle handle, string path)
    {
        _handle = handle;
        Path = path;
    }

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>
    /// Creates the directory if needed and takes the lock. Throws <see cref="StateDirectoryBusyException"/> when
    /// another process holds it and <see cref="IOException"/> when the file cannot be opened.
    /// </summary>
    public static StateDirectoryLock Acquire(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        var path = System.IO.Path.Combine(directory, FileName);
        var fd = Open(path, OpenReadWrite | OpenCreate | OpenCloseOnExec, 0b110_100_000 /* 0640 */);
        if (fd < 0)
        {
            throw new IOException($"cannot open {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (Flock(handle, LockExclusive | LockNonBlocking) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            handle.Dispose();
            if (error == WouldBlock)
            {
                throw new StateDirectoryBusyException(System.IO.Path.GetFullPath(directory), ReadHolder(path));
            }
            throw new IOException($"cannot lock {path}: {Marshal.GetPInvokeErrorMessage(error)}");
        }
        var owner = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"pid {Environment.ProcessId} ({Environment.ProcessPath ?? "?"}) since {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss}Z\n"));
        // Truncate then write: a shorter line must not keep the tail of the previous owner's.
        _ = Ftruncate(handle, 0);
        RandomAccess.Write(handle, owner, 0);
        return new StateDirectoryLock(handle, path);
    }

    public void Dispose() => _handle.Dispose();

    private static string ReadHolder(string path)
    {
        var fd = Open(path, OpenReadOnly | OpenCloseOnExec, 0);
        if (fd < 0)
        {
            return "another process";
        }
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        var buffer = new byte[512];
        var read = RandomAccess.Read(handle, buffer, 0);
        var line = Encoding.UTF8.GetString(buffer, 0, read).Trim();
        return line.Length > 0 ? line : "another process";
    }

    // Linux values, the same on x64 and arm64 (asm-generic/fcntl.h, errno-base.h).
    private const int OpenReadOnly = 0;
    private const int OpenReadWrite = 2;
    private const int OpenCreate = 0x40;
    private const int OpenCloseOnExec = 0x80000;
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;
    private const int WouldBlock = 11;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(SafeFileHandle fd, int operation);

    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    private static partial int Ftruncate(SafeFileHandle fd, long length);
}

/// <summary>Another process holds the state directory: this one must not run a second rig on it.</summary>
public sealed class StateDirectoryBusyException(string directory, string holder)
    : Exception($"Another instance already runs the rig on {directory}: {holder}. Stop it first (systemctl stop anodefreerig, or Ctrl+C in its terminal).")
{
    public string Directory { get; } = directory;

    public string Holder { get; } = holder;
}
