using MQTTnet.Channel;

namespace Rig.Mqtt;

/// <summary>
/// The read side of a connection under MQTTnet's channel adapter, buffered: the adapter reads every packet in two or
/// three reads (two header bytes, more length bytes, the body), and over a plain socket each is a recv system call;
/// here one recv fills <see cref="BufferSize"/> bytes (about 150 telemetry messages, or thousands of PUBACKs) and the
/// adapter's small reads are served from it. One reader at a time (MQTTnet's receive loop).
/// </summary>
public sealed class BufferedReads
{
    public const int BufferSize = 64 * 1024;
    private readonly IMqttChannel _inner;
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _start;
    private int _end;
    private Task<int>? _lastRead;

    public BufferedReads(IMqttChannel inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
    }

    /// <summary>Serves the read from the buffer; only an empty buffer reads the connection.</summary>
    public Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        if (_end > _start)
        {
            // The same few sizes again and again (2, 1, the body): a completed task per size, not one per read.
            var n = Take(buffer, offset, count);
            return _lastRead is { } last && last.Result == n ? last : _lastRead = Task.FromResult(n);
        }
        return FillAndTakeAsync(buffer, offset, count, cancellationToken);
    }

    private async Task<int> FillAndTakeAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        var read = await _inner.ReadAsync(_buffer, 0, _buffer.Length, cancellationToken).ConfigureAwait(false);
        if (read <= 0)
        {
            return read;
        }
        (_start, _end) = (0, read);
        return Take(buffer, offset, count);
    }

    private int Take(byte[] buffer, int offset, int count)
    {
        var n = Math.Min(count, _end - _start);
        Buffer.BlockCopy(_buffer, _start, buffer, offset, n);
        _start += n;
        return n;
    }
}
