using System.Net.Sockets;
using System.Text;

namespace Rig.Bench;

/// <summary>
/// Simulated rigs on loopback: one MQTT 5 connection per rig (as each rig's bridge is one connection to the lab
/// broker), publishing its channels' telemetry at QoS 1 in the rigs' payload format (ArchiveBench.Payload), each
/// channel's seq in order. A round is one sample of every channel of every rig; it ends when the broker has
/// acknowledged every message. The packets are written by hand (CONNECT, PUBLISH, PUBACK of MQTT 5.0 §3.1-3.4): a
/// general client library cost ~120 µs of CPU per publish on this VM, which the generator took from the archive,
/// PostgreSQL and mosquitto it is meant to load on the same two cores. Real rigs bring their own CPUs.
/// </summary>
internal sealed class LoadGenerator : IAsyncDisposable
{
    private readonly RawRig[] _rigs;
    private readonly string _prefix;
    private readonly int _channels;

    private LoadGenerator(RawRig[] rigs, string prefix, int channels)
    {
        _rigs = rigs;
        _prefix = prefix;
        _channels = channels;
    }

    public static async Task<LoadGenerator> ConnectAsync(int port, string prefix, int rigs, int channels)
    {
        var connected = new RawRig[rigs];
        await Parallel.ForEachAsync(Enumerable.Range(0, rigs), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (rig, ct) =>
            connected[rig] = await RawRig.ConnectAsync(port, $"rig-{rig:D4}-{Guid.NewGuid():N}", ct));
        return new LoadGenerator(connected, prefix, channels);
    }

    /// <summary>Every rig publishes sample <paramref name="seq"/> of each of its channels; returns when the broker acknowledged all.</summary>
    public async Task PublishRoundAsync(long seq)
    {
        // Each rig's channels run tests of their own (a test id per rig and channel), as in a lab.
        await Parallel.ForEachAsync(Enumerable.Range(0, _rigs.Length), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (rig, ct) =>
            await _rigs[rig].PublishAsync(Enumerable.Range(0, _channels).Select(c => $"{_prefix}/rig-{rig:D4}/ch{c + 1}/telemetry").ToArray(),
                Enumerable.Range(0, _channels).Select(c => ArchiveBench.Payload(seq, c, rig)).ToArray(), ct));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var rig in _rigs)
        {
            await rig.DisposeAsync();
        }
    }

    /// <summary>One rig's connection: publishes a round's messages in one write and reads their PUBACKs.</summary>
    private sealed class RawRig : IAsyncDisposable
    {
        private readonly TcpClient _tcp;
        private readonly NetworkStream _stream;
        private readonly BufferedStream _input;
        private ushort _packetId;

        private RawRig(TcpClient tcp)
        {
            _tcp = tcp;
            _stream = tcp.GetStream();
            _input = new BufferedStream(_stream, 4096);
        }

        public static async Task<RawRig> ConnectAsync(int port, string clientId, CancellationToken ct)
        {
            var tcp = new TcpClient { NoDelay = true };
            await tcp.ConnectAsync("127.0.0.1", port, ct);
            var rig = new RawRig(tcp);
            var id = Encoding.UTF8.GetBytes(clientId);
            // Variable header: "MQTT", version 5, flags = clean start, keep alive 0 (off), no properties; payload: client id.
            byte[] variable = [0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 5, 0x02, 0, 0, 0];
            var packet = new List<byte> { 0x10 };
            packet.AddRange(Length(variable.Length + 2 + id.Length));
            packet.AddRange(variable);
            packet.Add((byte)(id.Length >> 8));
            packet.Add((byte)id.Length);
            packet.AddRange(id);
            await rig._stream.WriteAsync(packet.ToArray(), ct);
            var (type, body) = await rig.ReadPacketAsync(ct);
            if (type >> 4 != 2 || body.Length < 2 || body[1] != 0)
            {
                throw new InvalidOperationException($"broker refused the load generator's CONNECT (packet {type:X2}, reason {(body.Length > 1 ? body[1] : -1)})");
            }
            return rig;
        }

        public async Task PublishAsync(string[] topics, byte[][] payloads, CancellationToken ct)
        {
            using var buffer = new MemoryStream();
            for (var i = 0; i < topics.Length; i++)
            {
                var topic = Encoding.UTF8.GetBytes(topics[i]);
                _packetId = (ushort)(_packetId % ushort.MaxValue + 1);
                buffer.WriteByte(0x32); // PUBLISH, QoS 1
                buffer.Write(Length(2 + topic.Length + 2 + 1 + payloads[i].Length));
                buffer.WriteByte((byte)(topic.Length >> 8));
                buffer.WriteByte((byte)topic.Length);
                buffer.Write(topic);
                buffer.WriteByte((byte)(_packetId >> 8));
                buffer.WriteByte((byte)_packetId);
                buffer.WriteByte(0); // no properties
                buffer.Write(payloads[i]);
            }
            await _stream.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), ct);
            for (var acknowledged = 0; acknowledged < topics.Length;)
            {
                var (type, body) = await ReadPacketAsync(ct);
                if (type >> 4 != 4)
                {
                    continue; // not a PUBACK (the broker sends nothing else to a client that subscribed to nothing)
                }
                if (body.Length > 2 && body[2] >= 0x80)
                {
                    throw new InvalidOperationException($"broker refused a publish (PUBACK reason 0x{body[2]:X2})");
                }
                acknowledged++;
            }
        }

        private async Task<(byte Type, byte[] Body)> ReadPacketAsync(CancellationToken ct)
        {
            var header = new byte[1];
            await _input.ReadExactlyAsync(header, ct);
            var length = 0;
            for (var shift = 0; ; shift += 7)
            {
                var next = new byte[1];
                await _input.ReadExactlyAsync(next, ct);
                length |= (next[0] & 0x7F) << shift;
                if ((next[0] & 0x80) == 0)
                {
                    break;
                }
            }
            var body = new byte[length];
            await _input.ReadExactlyAsync(body, ct);
            return (header[0], body);
        }

        /// <summary>MQTT's variable byte integer (§1.5.5).</summary>
        private static byte[] Length(int value)
        {
            var bytes = new List<byte>();
            do
            {
                var digit = (byte)(value % 128);
                value /= 128;
                bytes.Add(value > 0 ? (byte)(digit | 0x80) : digit);
            }
            while (value > 0);
            return [.. bytes];
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await _stream.WriteAsync(new byte[] { 0xE0, 0 }); // DISCONNECT, normal
            }
            catch (IOException)
            {
            }
            await _input.DisposeAsync();
            _tcp.Dispose();
        }
    }
}
