using System.IO.Ports;

namespace Rig.Drivers.Potentiostats.Scpi.Transports;

/// <summary>
/// An RS-232 SCPI link (System.IO.Ports). Baud and terminator must match the instrument's front-panel settings;
/// 8N1 without handshake is what the Keithley and Keysight SMUs default to. Reads go through the port's base
/// stream so the session's time-out can cancel them; <see cref="SerialPort.ReadTimeout"/> is a second bound.
/// </summary>
public sealed class SerialScpiTransport : StreamScpiTransport
{
    private readonly string _portName;
    private readonly int _baudRate;
    private readonly TimeSpan _readTimeout;
    private SerialPort? _port;

    public SerialScpiTransport(string portName, int baudRate, string terminator, TimeSpan readTimeout)
        : base($"serial://{portName}?baud={baudRate}", terminator)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(portName);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(baudRate);
        _portName = portName;
        _baudRate = baudRate;
        _readTimeout = readTimeout;
    }

    protected override ValueTask<Stream> OpenAsync(CancellationToken cancellationToken)
    {
        var port = new SerialPort(_portName, _baudRate, Parity.None, 8, StopBits.One)
        {
            Handshake = Handshake.None,
            ReadTimeout = (int)_readTimeout.TotalMilliseconds,
            WriteTimeout = (int)_readTimeout.TotalMilliseconds,
        };
        try
        {
            port.Open();
            port.DiscardInBuffer(); // an answer left over from before a reconnect would be taken for ours
        }
        catch
        {
            port.Dispose();
            throw;
        }
        _port = port;
        return ValueTask.FromResult(port.BaseStream);
    }

    protected override void CloseStream(Stream stream)
    {
        _port?.Dispose();
        _port = null;
    }
}
