using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Channel;
using Rig.Mqtt;

namespace Rig.Archive.Ingest;

/// <summary>
/// The archive's connection to the lab broker under MQTTnet's client: MQTTnet's own TCP/TLS channel
/// (<see cref="MQTTnet.Implementations.MqttTcpChannel"/>) with two things changed for a consumer of tens of thousands of
/// messages a second. (1) Reads are buffered (<see cref="BufferedReads"/>, shared with the rig's client): one recv
/// fills 64 KiB, about 150 telemetry messages, instead of two or three per packet. (2) The PUBACKs of a committed batch
/// go out in one write (<see cref="WriteAsync(ReadOnlyMemory{byte}, CancellationToken)"/>) instead of one send per message. Writes of the
/// client's own packets (PINGREQ, SUBSCRIBE, the gap monitor's PUBLISH) and the batch's PUBACKs are serialized here, each
/// a whole packet or whole packets (the adapter is made with AllowPacketFragmentation off), so they never interleave.
/// </summary>
public sealed class ArchiveChannel : IMqttChannel
{
    private readonly IMqttChannel _inner;
    private readonly BufferedReads _reads;
    private readonly SemaphoreSlim _write = new(1, 1);
    private volatile bool _closed;

    public ArchiveChannel(IMqttChannel inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _reads = new BufferedReads(inner);
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

    /// <summary>Served from the buffer (<see cref="BufferedReads"/>). One reader (MQTTnet's receive loop).</summary>
    public Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _reads.ReadAsync(buffer, offset, count, cancellationToken);

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
