using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using CsCheck;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Implementations;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using Microsoft.Extensions.Time.Testing;
using Rig.Mqtt;

namespace Rig.Service.Tests.Mqtt;

/// <summary>
/// The rig's connection under MQTTnet (<see cref="CoalescingChannel"/>) over MQTTnet's own TCP channel on a byte stream
/// whose writes take a random while: the bytes on the wire are the packets written, whole and in order, however the
/// writes interleave and however they are grouped into sends; packets queued during a send go out together; a lone
/// packet goes out without another write behind it; a failed send fails the writes after it and closes the connection.
/// </summary>
public sealed class CoalescingChannelTests
{
    [Fact]
    public void The_wire_carries_every_writers_packets_whole_and_in_its_order_however_the_writes_interleave_and_are_grouped()
    {
        // 1-4 writers at once (MQTTnet's adapter is one; the archive adds a second), each 1-60 packets of 9-3,000 bytes.
        var writer = Gen.Int[9, 3_000].Array[1, 60];
        Gen.Select(writer.Array[1, 4], Gen.Int[0, 3]).Sample((writers, slowness) =>
        {
            var wire = new RecordingStream(slowness);
            using var channel = Channel(wire);
            Task.WaitAll([.. writers.Select((sizes, w) => Task.Run(async () =>
            {
                for (var i = 0; i < sizes.Length; i++)
                {
                    await channel.WriteAsync(new ReadOnlySequence<byte>(Packet(w, i, sizes[i])), true, CancellationToken.None);
                }
            }))]);
            channel.DisconnectAsync(CancellationToken.None).GetAwaiter().GetResult();

            var bytes = wire.Bytes();
            Assert.Equal(writers.Sum(s => s.Sum()), bytes.Length);
            var next = new int[writers.Length];
            for (var at = 0; at < bytes.Length;)
            {
                var (w, i, size) = (bytes[at + 4], BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at + 5)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at)));
                Assert.Equal(next[w]++, i);
                Assert.Equal(Packet(w, i, writers[w][i]), bytes[at..(at + size)]);
                at += size;
            }
            Assert.Equal(writers.Select(s => s.Length), next);
            Assert.InRange(channel.Writes, 1, writers.Sum(s => s.Length));
        }, iter: 40);
    }

    [Fact]
    public async Task Publish_packets_sent_through_mqttnets_adapter_decode_from_the_wire_as_sent_in_fewer_sends_than_packets()
    {
        var wire = new RecordingStream(slowness: 2);
        using var channel = Channel(wire);
        using var adapter = new MqttChannelAdapter(channel, Formatter(), MqttNetNullLogger.Instance) { AllowPacketFragmentation = false };
        var sent = Enumerable.Range(1, 300).Select(i => new MqttPublishPacket
        {
            Topic = $"rig/ch{i % 64}/telemetry", PayloadSegment = new byte[300 + i], PacketIdentifier = (ushort)i,
            QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce,
        }).ToList();

        foreach (var packet in sent)
        {
            await adapter.SendPacketAsync(packet, CancellationToken.None);
        }
        await channel.DisconnectAsync(CancellationToken.None);

        using var reader = new MqttChannelAdapter(Channel(new MemoryStream(wire.Bytes(), writable: false)), Formatter(), MqttNetNullLogger.Instance);
        foreach (var packet in sent)
        {
            var received = Assert.IsType<MqttPublishPacket>(await reader.ReceivePacketAsync(CancellationToken.None));
            Assert.Equal((packet.Topic, packet.PacketIdentifier, packet.Payload.Length), (received.Topic, received.PacketIdentifier, (int)received.Payload.Length));
        }
        // Each send took 0-2 ms while the next packets were queued: they went out together.
        Assert.InRange(channel.Writes, 1, sent.Count / 2);
    }

    [Fact]
    public async Task A_lone_packet_reaches_the_wire_with_nothing_written_after_it()
    {
        var wire = new RecordingStream(slowness: 0);
        using var channel = Channel(wire);

        await channel.WriteAsync(new ReadOnlySequence<byte>(Packet(0, 0, 40)), true, CancellationToken.None);

        for (var deadline = DateTime.UtcNow.AddSeconds(10); wire.Bytes().Length < 40; await Task.Delay(1))
        {
            Assert.True(DateTime.UtcNow < deadline, "the packet was held back");
        }
        Assert.Equal(Packet(0, 0, 40), wire.Bytes());
    }

    [Fact]
    public async Task After_a_failed_send_later_writes_fail_and_the_connection_is_closed()
    {
        var wire = new RecordingStream(slowness: 0) { FailWrites = true };
        using var channel = Channel(wire);

        await channel.WriteAsync(new ReadOnlySequence<byte>(Packet(0, 0, 40)), true, CancellationToken.None);

        for (var deadline = DateTime.UtcNow.AddSeconds(10); !channel.IsClosed; await Task.Delay(1))
        {
            Assert.True(DateTime.UtcNow < deadline, "the failed send did not close the connection");
        }
        await Assert.ThrowsAsync<MqttCommunicationException>(() => channel.WriteAsync(new ReadOnlySequence<byte>(Packet(0, 1, 40)), true, CancellationToken.None));
    }

    /// <summary>A packet of <paramref name="size"/> bytes that says who wrote it: its size, the writer, its index, then filler.</summary>
    private static byte[] Packet(int writer, int index, int size)
    {
        var packet = new byte[size];
        BinaryPrimitives.WriteInt32BigEndian(packet, size);
        packet[4] = (byte)writer;
        BinaryPrimitives.WriteInt32BigEndian(packet.AsSpan(5), index);
        for (var b = 9; b < size; b++)
        {
            packet[b] = (byte)(b * 7 + index + writer);
        }
        return packet;
    }

    [Fact]
    public async Task Closing_while_the_broker_reads_nothing_gives_up_on_the_flush_and_closes_the_socket()
    {
        var clock = new FakeTimeProvider();
        var wire = new StalledStream();
        using var channel = Channel(wire, clock);
        await channel.WriteAsync(new ReadOnlySequence<byte>(Packet(0, 0, 40)), true, CancellationToken.None);
        await wire.SendStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var closing = channel.DisconnectAsync(CancellationToken.None);
        await Task.Delay(50);
        Assert.False(closing.IsCompleted, "closed before the flush had its chance");
        clock.Advance(CoalescingChannel.DisconnectFlushTimeout);

        await closing.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(wire.Disposed);
        Assert.True(channel.IsClosed);
    }

    private static CoalescingChannel Channel(Stream stream, TimeProvider? time = null) =>
        new(new MqttTcpChannel(stream, new IPEndPoint(IPAddress.Loopback, 1), new IPEndPoint(IPAddress.Loopback, 2), null!), time ?? TimeProvider.System);

    /// <summary>A socket whose peer reads nothing: a send never completes until the socket is closed.</summary>
    private sealed class StalledStream : MemoryStream
    {
        private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource SendStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Disposed { get; private set; }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            SendStarted.TrySetResult();
            await _closed.Task.WaitAsync(cancellationToken);
            throw new ObjectDisposedException(nameof(StalledStream));
        }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            _closed.TrySetResult();
            base.Dispose(disposing);
        }
    }

    private static MqttPacketFormatterAdapter Formatter() => new(MqttProtocolVersion.V500, new MqttBufferWriter(4096, 1 << 20));

    /// <summary>A connection whose every send takes 0 to <c>slowness</c> ms (a socket whose buffer is full), recorded.</summary>
    private sealed class RecordingStream(int slowness) : MemoryStream
    {
        private readonly Lock _lock = new();

        public bool FailWrites { get; init; }

        public byte[] Bytes()
        {
            lock (_lock)
            {
                return ToArray();
            }
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (FailWrites)
            {
                throw new IOException("connection reset");
            }
            if (slowness > 0)
            {
                await Task.Delay(Random.Shared.Next(slowness + 1), cancellationToken);
            }
            lock (_lock)
            {
                Write(buffer.Span);
            }
        }
    }
}
