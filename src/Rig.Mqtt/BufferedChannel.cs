using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Channel;

namespace Rig.Mqtt;

/// <summary>
/// A connection under MQTTnet's channel adapter wrapping MQTTnet's own TCP/TLS channel: reads served from a buffer
/// (<see cref="BufferedReads"/>), everything else passed through; how packets are written is the subclass's
/// (the archive's channel writes each whole, the rig's coalesces them).
/// </summary>
public abstract class BufferedChannel : IMqttChannel
{
    private readonly BufferedReads _reads;
    private volatile bool _closed;

    protected BufferedChannel(IMqttChannel inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Inner = inner;
        _reads = new BufferedReads(inner);
    }

    /// <summary>MQTTnet's channel underneath (the socket, or TLS over it).</summary>
    protected IMqttChannel Inner { get; }

    /// <summary>True once MQTTnet has closed this connection or it failed (a reconnect makes a new channel).</summary>
    public bool IsClosed => _closed;

    public X509Certificate2 ClientCertificate => Inner.ClientCertificate;

    public EndPoint RemoteEndPoint => Inner.RemoteEndPoint;

    public EndPoint LocalEndPoint => Inner.LocalEndPoint;

    public bool IsSecureConnection => Inner.IsSecureConnection;

    public Task ConnectAsync(CancellationToken cancellationToken) => Inner.ConnectAsync(cancellationToken);

    public virtual Task DisconnectAsync(CancellationToken cancellationToken)
    {
        _closed = true;
        return Inner.DisconnectAsync(cancellationToken);
    }

    /// <summary>Served from the buffer. One reader (MQTTnet's receive loop).</summary>
    public Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _reads.ReadAsync(buffer, offset, count, cancellationToken);

    public abstract Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken);

    public void Dispose()
    {
        _closed = true;
        Inner.Dispose();
        GC.SuppressFinalize(this);
    }
}
