using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Channel;

namespace Rig.Archive.Ingest;

/// <summary>
/// The archive's connection to the lab broker under MQTTnet's client: MQTTnet's own TCP/TLS channel
/// (<see cref="MQTTnet.Implementations.MqttTcpChannel"/>) with two things changed for a consumer of tens of thousands of
/// messages a second. (1) Reads are buffered: MQTTnet's adapter reads every packet in three reads (two header bytes,
/// the second length byte, the body), and over a plain socket each is a recv system call; here one recv fills 64 KiB,
/// about 150 telemetry messages. (2) The PUBACKs of a committed batch go out in one write
/// (<see cref="WriteAsync(ReadOnlyMemory{byte}, CancellationToken)"/>) instead of one send per message. Writes of the
/// client's own packets (PINGREQ, SUBSCRIBE, the gap monitor's PUBLISH) and the batch's PUBACKs are serialized here, each
/// a whole packet or whole packets (the adapter is made with AllowPacketFragmentation off), so they never interleave.
/// </summary>
public sealed class ArchiveChannel : IMqttChannel
{
    internal const int ReadBufferSize = 64 * 1024;
    private readonly IMqttChannel _inner;
    private readonly SemaphoreSlim _write = new(1, 1);
    private readonly byte[] _read = new byte[ReadBufferSize];
    private int _readStart;
    private int _readEnd;
    private Task<int>? _lastRead;
    private volatile bool _closed;

    public ArchiveChannel(IMqttChannel inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
    }

    /// <summary>True once MQTTnet has closed this connection (a reconnect makes a new channel).</summary>
    public bool IsClosed => _closed;

    public X509Certificate2 ClientCertificate => _inner.ClientCertificate;

    public EndPoint RemoteEndPoint => _inner.RemoteEndPoint;

    public EndPoint LocalEndPoint => _inner.LocalEndPoint;

    public bool IsSecureConnection => _inner.IsSecureConnection;

    public Task ConnectAsync(CancellationToken cancellationToken) => _inner.ConnectAsync(cancellationToken);

    public Task DisconnectAsync(CancellationToken cancellationToken)
    {
        _closed = true;
        return _inner.DisconnectAsync(cancellationToken);
    }

    /// <summary>Serves the adapter's small reads from the buffer; only an empty buffer reads the connection. One reader (MQTTnet's receive loop).</summary>
    public Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        if (_readEnd > _readStart)
        {
            // The same few sizes again and again (2, 1, the body): a completed task per size, not one per read.
            var n = Take(buffer, offset, count);
            return _lastRead is { } last && last.Result == n ? last : _lastRead = Task.FromResult(n);
        }
        return FillAndTakeAsync(buffer, offset, count, cancellationToken);
    }

    private async Task<int> FillAndTakeAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        var read = await _inner.ReadAsync(_read, 0, _read.Length, cancellationToken).ConfigureAwait(false);
        if (read <= 0)
        {
            return read;
        }
        (_readStart, _readEnd) = (0, read);
        return Take(buffer, offset, count);
    }

    private int Take(byte[] buffer, int offset, int count)
    {
        var n = Math.Min(count, _readEnd - _readStart);
        Buffer.BlockCopy(_read, _readStart, buffer, offset, n);
        _readStart += n;
        return n;
    }

    /// <summary>One packet from MQTTnet's adapter, written whole.</summary>
    public async Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken)
    {
        await _write.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _inner.WriteAsync(buffer, isEndOfPacket, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _write.Release();
        }
    }

    /// <summary>Whole packets encoded elsewhere (the PUBACKs of a committed batch), in one write, between the adapter's packets.</summary>
    public Task WriteAsync(ReadOnlyMemory<byte> packets, CancellationToken cancellationToken) =>
        WriteAsync(new ReadOnlySequence<byte>(packets), true, cancellationToken);

    public void Dispose()
    {
        _closed = true;
        _inner.Dispose();
    }
}
