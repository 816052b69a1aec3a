using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Rig.Files;

/// <summary>
/// Opens a file for reading only when it is a regular file, decided on the opened descriptor itself (no window for a
/// swap between a check and the open). A FIFO is opened non-blocking (an ordinary open waits forever for a writer and
/// cannot be cancelled), then looked at with statx(2) and refused like a device, a socket or a directory, before a
/// single byte is read. Failures are <see cref="InvalidDataException"/> in plain words naming the file (a dangling
/// link, a link loop, permissions), never the runtime's text. On a system without statx (or not Linux) the file is
/// opened as usual and a non-seekable one (a FIFO, a socket) is refused.
/// </summary>
public static partial class RegularFile
{
    /// <summary>A stream over the regular file at <paramref name="path"/> (links followed), at most <paramref name="maxBytes"/> long.</summary>
    public static FileStream OpenRead(string path, long maxBytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        if (!OperatingSystem.IsLinux())
        {
            return Checked(path, new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1), null, maxBytes);
        }
        var fd = Open(path, OpenReadOnly | OpenNonBlocking | OpenCloseOnExec);
        if (fd < 0)
        {
            throw new InvalidDataException($"{path}: {Why(Marshal.GetLastPInvokeError())}");
        }
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            var kind = Kind(handle, out var size);
            if (kind is not null and not FileKindRegular)
            {
                throw new InvalidDataException($"{path}: {Describe(kind.Value)}, not a regular file; refused");
            }
            if (size > maxBytes)
            {
                throw new InvalidDataException($"{path}: larger than {maxBytes} bytes; refused");
            }
            // O_NONBLOCK means nothing to a regular file's reads; the stream owns the handle from here.
            return Checked(path, new FileStream(handle, FileAccess.Read, 1), kind, maxBytes);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static FileStream Checked(string path, FileStream stream, int? kind, long maxBytes)
    {
        if (kind is null && !stream.CanSeek)
        {
            stream.Dispose();
            throw new InvalidDataException($"{path}: a pipe or socket, not a regular file; refused");
        }
        if (kind is null && stream.Length > maxBytes)
        {
            stream.Dispose();
            throw new InvalidDataException($"{path}: larger than {maxBytes} bytes; refused");
        }
        return stream;
    }

    // The file type (S_IFMT bits) and size, or null when the kernel cannot say (no statx: a seccomp filter, an old kernel).
    private static unsafe int? Kind(SafeFileHandle handle, out long size)
    {
        // struct statx is the same on every architecture (linux/stat.h): stx_mode (u16) at 28, stx_size (u64) at 40.
        var buffer = stackalloc byte[256];
        size = 0;
        if (Statx(handle, "", AtEmptyPath, StatxType | StatxSize, buffer) != 0)
        {
            return null;
        }
        size = *(long*)(buffer + 40);
        return *(ushort*)(buffer + 28) & FileKindMask;
    }

    private static string Describe(int kind) => kind switch
    {
        FileKindFifo => "a FIFO (named pipe)",
        FileKindCharacterDevice => "a character device",
        FileKindBlockDevice => "a block device",
        FileKindDirectory => "a directory",
        FileKindSocket => "a socket",
        _ => "a special file",
    };

    private static string Why(int errno) => errno switch
    {
        NoEntry => "does not exist (or is a link to nothing)",
        LinkLoop => "is a link loop (or a chain of links too long to follow)",
        AccessDenied => "is not readable by the service (permissions)",
        NameTooLong => "the path is too long",
        NotDirectory => "a part of the path is not a directory",
        _ => $"cannot be opened (error {errno})",
    };

    // Linux values, the same on x64 and arm64 (asm-generic/fcntl.h, errno-base.h, linux/stat.h).
    private const int OpenReadOnly = 0;
    private const int OpenNonBlocking = 0x800;
    private const int OpenCloseOnExec = 0x80000;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1;
    private const uint StatxSize = 0x200;
    private const int FileKindMask = 0xF000;
    private const int FileKindFifo = 0x1000;
    private const int FileKindCharacterDevice = 0x2000;
    private const int FileKindDirectory = 0x4000;
    private const int FileKindBlockDevice = 0x6000;
    private const int FileKindRegular = 0x8000;
    private const int FileKindSocket = 0xC000;
    private const int NoEntry = 2;
    private const int AccessDenied = 13;
    private const int NotDirectory = 20;
    private const int NameTooLong = 36;
    private const int LinkLoop = 40;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(SafeFileHandle dirfd, string path, int flags, uint mask, byte* buffer);
}
