using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Rig.Drivers.Tests.Impedance;

/// <summary>
/// A kernel pseudo-terminal pair (openpty(3), in glibc) whose master end is bridged to a TCP server: the slave end,
/// /dev/pts/N, is a serial port to whatever opens it (here System.IO.Ports, as the Prologix GPIB-USB is reached), and
/// the bytes come and go from the simulated adapter's socket. No socat process, no root; Linux only.
/// </summary>
internal sealed partial class PseudoTerminalBridge : IAsyncDisposable
{
    private const int Eintr = 4;
    private readonly int _master;
    private readonly int _slave;
    private readonly TcpClient _client;
    private readonly Thread _fromTerminal;
    private readonly Task _toTerminal;
    private readonly CancellationTokenSource _stop = new();

    private PseudoTerminalBridge(int master, int slave, string path, TcpClient client)
    {
        _master = master;
        _slave = slave;
        SlavePath = path;
        _client = client;
        var stream = client.GetStream();
        _fromTerminal = new Thread(() => PumpFromTerminal(stream)) { IsBackground = true, Name = "pty -> tcp" };
        _fromTerminal.Start();
        _toTerminal = Task.Run(() => PumpToTerminalAsync(stream, _stop.Token));
    }

    /// <summary>The serial device the driver opens (e.g. /dev/pts/3).</summary>
    public string SlavePath { get; }

    public static async Task<PseudoTerminalBridge> OpenAsync(string host, int port)
    {
        if (OpenPty(out var master, out var slave, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero) != 0)
        {
            throw new IOException($"openpty failed (errno {Marshal.GetLastPInvokeError()})");
        }
        var name = new byte[128];
        if (TtyNameR(slave, name, name.Length) != 0)
        {
            throw new IOException($"ttyname_r failed (errno {Marshal.GetLastPInvokeError()})");
        }
        // Raw, no echo, until the serial port opens it (System.IO.Ports sets raw itself; this closes the gap before).
        var termios = new byte[256];
        if (TcGetAttr(slave, termios) == 0)
        {
            CfMakeRaw(termios);
            _ = TcSetAttr(slave, 0, termios);
        }
        var client = new TcpClient();
        await client.ConnectAsync(host, port);
        return new PseudoTerminalBridge(master, slave, Encoding.ASCII.GetString(name, 0, Array.IndexOf(name, (byte)0)), client);
    }

    // A blocking read(2) on the master: it returns EIO once no slave descriptor is open (the bridge holds one until
    // disposed, so a driver that closes and reopens the port does not end the bridge).
    private void PumpFromTerminal(NetworkStream stream)
    {
        var buffer = new byte[4096];
        while (!_stop.IsCancellationRequested)
        {
            var n = Read(_master, buffer, buffer.Length);
            if (n < 0 && Marshal.GetLastPInvokeError() == Eintr)
            {
                continue;
            }
            if (n <= 0)
            {
                return;
            }
            try
            {
                stream.Write(buffer, 0, (int)n);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                return;
            }
        }
    }

    private async Task PumpToTerminalAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var n = await stream.ReadAsync(buffer, cancellationToken);
                if (n == 0)
                {
                    return;
                }
                for (var offset = 0; offset < n;)
                {
                    var written = Write(_master, buffer.AsSpan(offset, n - offset).ToArray(), n - offset);
                    if (written < 0 && Marshal.GetLastPInvokeError() == Eintr)
                    {
                        continue;
                    }
                    if (written <= 0)
                    {
                        return;
                    }
                    offset += (int)written;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _client.Dispose();
        await _toTerminal.WaitAsync(TimeSpan.FromSeconds(5));
        _ = Close(_slave); // the last slave descriptor (the driver has closed its own): the master's read gets EIO
        _fromTerminal.Join(TimeSpan.FromSeconds(5));
        _ = Close(_master);
        _stop.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "openpty", SetLastError = true)]
    private static partial int OpenPty(out int master, out int slave, IntPtr name, IntPtr termp, IntPtr winp);

    [LibraryImport("libc", EntryPoint = "ttyname_r", SetLastError = true)]
    private static partial int TtyNameR(int fd, [Out] byte[] buffer, nint length);

    [LibraryImport("libc", EntryPoint = "tcgetattr", SetLastError = true)]
    private static partial int TcGetAttr(int fd, [Out] byte[] termios);

    [LibraryImport("libc", EntryPoint = "tcsetattr", SetLastError = true)]
    private static partial int TcSetAttr(int fd, int actions, [In] byte[] termios);

    [LibraryImport("libc", EntryPoint = "cfmakeraw")]
    private static partial void CfMakeRaw([In, Out] byte[] termios);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint Read(int fd, [Out] byte[] buffer, nint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint Write(int fd, [In] byte[] buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
