using System.Net.Sockets;

namespace Rig.Drivers.Potentiostats.Scpi.Transports;

/// <summary>
/// The LAN instruments' raw SCPI socket (port 5025 on the Keithley 2450/2460 and the Keysight B2900), one
/// message per line, newline-terminated. Nagle is off: every query is one small packet that waits for its answer.
/// </summary>
public sealed class TcpScpiTransport : StreamScpiTransport
{
    public const int DefaultPort = 5025;
    private readonly string _host;
    private readonly int _port;
    private Socket? _socket;

    public TcpScpiTransport(string host, int port, string terminator = "\n")
        : base($"tcp://{host}:{port}", terminator)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(port);
        _host = host;
        _port = port;
    }

    protected override async ValueTask<Stream> OpenAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            // Keep-alive finds a link that died without a FIN (cable pulled) even while we only wait for answers.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            await socket.ConnectAsync(_host, _port, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        _socket = socket;
        return new NetworkStream(socket, ownsSocket: true);
    }

    protected override void CloseStream(Stream stream)
    {
        try
        {
            _socket?.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // already gone: the peer dropped the link first
        }
        catch (ObjectDisposedException)
        {
            // already closed by a failed read
        }
        _socket = null;
        stream.Dispose();
    }
}
