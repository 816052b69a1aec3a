using System.Text;

namespace Rig.Drivers.Potentiostats.Scpi.Transports;

/// <summary>
/// A transport over a byte stream (TCP socket, serial port): writes a message plus the terminator, and reads
/// bytes until the terminator. SCPI answers are ASCII (IEEE 488.2 §8); a stray CR before LF is dropped.
/// </summary>
public abstract class StreamScpiTransport : IScpiTransport
{
    private const int MaxResponseBytes = 1 << 20;
    private readonly byte[] _buffer = new byte[4096];
    private readonly StringBuilder _line = new();
    private int _buffered;
    private int _position;
    private Stream? _stream;

    protected StreamScpiTransport(string address, string terminator)
    {
        Address = address;
        Terminator = string.IsNullOrEmpty(terminator) ? "\n" : terminator;
    }

    public string Address { get; }

    /// <summary>What ends a message on this link ("\n" on LAN; serial instruments may use "\r" or "\r\n").</summary>
    public string Terminator { get; }

    public bool IsConnected => _stream is not null;

    public async ValueTask ConnectAsync(CancellationToken cancellationToken)
    {
        Close();
        _stream = await OpenAsync(cancellationToken);
        _buffered = 0;
        _position = 0;
    }

    public async ValueTask WriteLineAsync(string message, CancellationToken cancellationToken)
    {
        var stream = _stream ?? throw new IOException($"{Address} is not connected");
        var bytes = Encoding.ASCII.GetBytes(message + Terminator);
        await stream.WriteAsync(bytes, cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    public async ValueTask<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        var stream = _stream ?? throw new IOException($"{Address} is not connected");
        var end = Terminator[^1];
        _line.Clear();
        while (true)
        {
            while (_position < _buffered)
            {
                var c = (char)_buffer[_position++];
                if (c == end)
                {
                    return TrimTerminator(_line.ToString());
                }
                _line.Append(c);
                if (_line.Length > MaxResponseBytes)
                {
                    throw new IOException($"{Address} sent more than {MaxResponseBytes} bytes without a terminator");
                }
            }
            _buffered = await stream.ReadAsync(_buffer, cancellationToken);
            _position = 0;
            if (_buffered == 0)
            {
                throw new IOException($"{Address} closed the connection");
            }
        }
    }

    public void Close()
    {
        var stream = _stream;
        _stream = null;
        if (stream is not null)
        {
            CloseStream(stream);
        }
    }

    public ValueTask DisposeAsync()
    {
        Close();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>Opens the link; called by <see cref="ConnectAsync"/>, which bounds it.</summary>
    protected abstract ValueTask<Stream> OpenAsync(CancellationToken cancellationToken);

    protected virtual void CloseStream(Stream stream) => stream.Dispose();

    private string TrimTerminator(string text)
    {
        var rest = Terminator[..^1];
        if (rest.Length > 0 && text.EndsWith(rest, StringComparison.Ordinal))
        {
            text = text[..^rest.Length];
        }
        return text.TrimEnd('\r');
    }
}
