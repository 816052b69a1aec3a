using System.Buffers;
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
public sealed class ArchiveChannel(IMqttChannel inner) : BufferedChannel(inner)
{
    private readonly SemaphoreSlim _write = new(1, 1);

    /// <summary>One packet from MQTTnet's adapter, written whole.</summary>
    public override async Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken)
    {
        await _write.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await Inner.WriteAsync(buffer, isEndOfPacket, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _write.Release();
        }
    }

    /// <summary>Whole packets encoded elsewhere (the PUBACKs of a committed batch), in one write, between the adapter's packets.</summary>
    public Task WriteAsync(ReadOnlyMemory<byte> packets, CancellationToken cancellationToken) =>
        WriteAsync(new ReadOnlySequence<byte>(packets), true, cancellationToken);
}
