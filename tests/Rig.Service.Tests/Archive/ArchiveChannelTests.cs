using System.Buffers;
using System.Net;
using CsCheck;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using Rig.Archive;
using Rig.Archive.Ingest;

namespace Rig.Service.Tests.Archive;

/// <summary>
/// The archive's channel under MQTTnet's client (buffered reads, a batch's PUBACKs in one write), with MQTTnet's own
/// TCP channel, packet formatter and channel adapter around it over a byte stream: what the adapter decodes through the
/// buffer is what was sent, however the bytes arrive, and the PUBACKs are the MQTT 5 packets, byte for byte, in order.
/// </summary>
public sealed class ArchiveChannelTests
{
    [Fact]
    public void Publish_packets_decode_through_the_buffered_channel_as_sent_whatever_the_sizes_and_however_the_bytes_arrive()
    {
        var packet = Gen.Select(Gen.Int[1, 120], Gen.Int[0, 3], Gen.Int[0, 150_000], Gen.Bool, Gen.UShort[1, ushort.MaxValue])
            .Select((topicLength, sizeClass, bigSize, qos1, id) => (Topic: new string('t', topicLength),
                Payload: Enumerable.Range(0, sizeClass switch { 0 => 0, 1 => 1 + bigSize % 400, 2 => 127 + bigSize % 16_500, _ => bigSize })
                    .Select(i => (byte)(i * 31 + topicLength)).ToArray(), Qos1: qos1, Id: qos1 ? id : (ushort)0));
        Gen.Select(packet.Array[1, 40], Gen.Int[1, 70_000]).Sample((packets, chunk) =>
        {
            var formatter = new MqttPacketFormatterAdapter(MqttProtocolVersion.V500, new MqttBufferWriter(4096, 1 << 20));
            var wire = new MemoryStream();
            foreach (var p in packets)
            {
                var encoded = formatter.Encode(new MqttPublishPacket
                {
                    Topic = p.Topic, PayloadSegment = p.Payload, PacketIdentifier = p.Id,
                    QualityOfServiceLevel = p.Qos1 ? MqttQualityOfServiceLevel.AtLeastOnce : MqttQualityOfServiceLevel.AtMostOnce,
                });
                wire.Write(encoded.Join());
            }
            using var adapter = Adapter(new ChunkedStream(wire.ToArray(), chunk));

            foreach (var p in packets)
            {
                var received = Assert.IsType<MqttPublishPacket>(adapter.ReceivePacketAsync(CancellationToken.None).GetAwaiter().GetResult());
                Assert.Equal(p.Topic, received.Topic);
                Assert.Equal(p.Id, received.PacketIdentifier);
                Assert.Equal(p.Payload, received.Payload.ToArray());
            }
            Assert.Null(adapter.ReceivePacketAsync(CancellationToken.None).GetAwaiter().GetResult());
        }, iter: 60);
    }

    [Fact]
    public async Task A_batch_of_pubacks_is_one_write_per_connection_of_mqtt5_puback_packets_in_arrival_order()
    {
        var (a, b, closed) = (new RecordingStream(), new RecordingStream(), new RecordingStream());
        var (channelA, channelB, channelClosed) = (Channel(a), Channel(b), Channel(closed));
        channelClosed.Dispose();
        var topic = RigTopic.Parse("lab/rig-01/ch1/telemetry", "lab")!;
        ArchiveMessage Message(ArchiveChannel? connection, ushort id) => new(topic, [], DateTimeOffset.UtcNow, connection, id);
        using var subscription = new LabSubscription(Options.Create(new ArchiveOptions()), TimeProvider.System, NullLogger<LabSubscription>.Instance);

        var result = await subscription.AcknowledgeAsync(
            [Message(channelA, 1), Message(null, 0), Message(channelA, 0x0102), Message(channelA, ushort.MaxValue), Message(channelClosed, 9),
                Message(channelClosed, 10), Message(channelB, 7), Message(channelA, 3)], CancellationToken.None);

        // MQTT 5.0 §3.4: PUBACK = fixed header 0x40, remaining length 2, packet identifier (big-endian); the reason code
        // 0x00 (success) with no properties may be left out (§3.4.2.1). A connection's PUBACKs in arrival order, one write.
        Assert.Equal([[0x40, 2, 0, 1, 0x40, 2, 1, 2, 0x40, 2, 0xFF, 0xFF], [0x40, 2, 0, 3]], a.Writes);
        Assert.Equal([[0x40, 2, 0, 7]], b.Writes);
        Assert.Empty(closed.Writes);
        Assert.Equal((5, 2), (result.Sent, result.Failed));
        Assert.NotNull(result.Failure);
    }

    private static ArchiveChannel Channel(Stream stream) =>
        new(new MqttTcpChannel(stream, new IPEndPoint(IPAddress.Loopback, 1), new IPEndPoint(IPAddress.Loopback, 2), null!));

    private static MqttChannelAdapter Adapter(Stream stream) =>
        new(Channel(stream), new MqttPacketFormatterAdapter(MqttProtocolVersion.V500, new MqttBufferWriter(4096, 1 << 20)), MqttNetNullLogger.Instance)
        {
            AllowPacketFragmentation = false,
        };

    /// <summary>The bytes of a connection, handed out at most <c>chunk</c> at a time (as TCP may).</summary>
    private sealed class ChunkedStream(byte[] bytes, int chunk) : MemoryStream(bytes, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }

    /// <summary>Every write to a connection, as one array each.</summary>
    private sealed class RecordingStream : MemoryStream
    {
        public List<byte[]> Writes { get; } = [];

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writes.Add(buffer.ToArray());
            return ValueTask.CompletedTask;
        }
    }
}
