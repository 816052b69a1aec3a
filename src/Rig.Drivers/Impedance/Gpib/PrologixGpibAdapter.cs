using System.Globalization;
using System.Text;
using Rig.Drivers.Faults;
using Rig.Drivers.Potentiostats.Scpi;

namespace Rig.Drivers.Impedance.Gpib;

/// <summary>
/// A Prologix-style GPIB controller (GPIB-ETHERNET on TCP port 1234, or GPIB-USB as a serial port; AR488 speaks the
/// same commands): lines starting with "++" configure the adapter, any other line goes to the instrument at the
/// configured GPIB address (Prologix GPIB-ETHERNET Controller User Manual, §8 "Data transmission", §9 "Commands").
/// The adapter is run in controller mode with read-after-write off, so nothing is read from the bus unless this
/// class asks (<c>++read eoi</c>): a late answer can never be taken for the next one. Every exchange goes through a
/// <see cref="ScpiSession"/>, which bounds it and turns a silent or lost link into a typed fault.
/// </summary>
public sealed class PrologixGpibAdapter : IAsyncDisposable
{
    /// <summary>The GPIB-ETHERNET's command socket (Prologix manual §5).</summary>
    public const int DefaultTcpPort = 1234;

    private const char Escape = (char)27;
    private readonly ScpiSession _link;

    /// <param name="link">The line link to the adapter (newline-terminated; the adapter accepts CR or LF).</param>
    /// <param name="gpibAddress">The instrument's primary GPIB address, 0-30 (its rear-panel switches).</param>
    /// <param name="busReadTimeout">The adapter's own wait for a byte from the bus (++read_tmo_ms, 1-3000 ms).</param>
    public PrologixGpibAdapter(ScpiSession link, int gpibAddress, TimeSpan busReadTimeout)
    {
        _link = link ?? throw new ArgumentNullException(nameof(link));
        ArgumentOutOfRangeException.ThrowIfNegative(gpibAddress);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(gpibAddress, 30);
        ArgumentOutOfRangeException.ThrowIfLessThan(busReadTimeout, TimeSpan.FromMilliseconds(1));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(busReadTimeout, TimeSpan.FromMilliseconds(3000));
        GpibAddress = gpibAddress;
        BusReadTimeout = busReadTimeout;
    }

    public int GpibAddress { get; }

    public TimeSpan BusReadTimeout { get; }

    /// <summary>The adapter's ++ver answer, once connected.</summary>
    public string? Version { get; private set; }

    public string Device => _link.Device;

    public bool IsConnected => _link.IsConnected;

    /// <summary>Opens the link, checks the adapter is a Prologix-compatible controller and sets it up for the instrument.</summary>
    public async ValueTask ConnectAsync(CancellationToken cancellationToken)
    {
        await _link.ConnectAsync(cancellationToken);
        var version = await _link.QueryAsync("++ver", cancellationToken);
        if (!version.Contains("GPIB", StringComparison.OrdinalIgnoreCase) && !version.Contains("Prologix", StringComparison.OrdinalIgnoreCase))
        {
            _link.Disconnect();
            throw _link.Fault(FaultKind.InstrumentMismatch, $"the adapter answered ++ver with '{version}', not a Prologix-compatible GPIB controller",
                "that the configured address is the GPIB-ETHERNET/GPIB-USB adapter (TCP port 1234), not the instrument itself");
        }
        Version = version;
        foreach (var command in SetupCommands())
        {
            await _link.WriteAsync(command, cancellationToken);
        }
    }

    /// <summary>The adapter set-up, in the order the manual describes (§9): controller mode, no auto-read, EOI, CR LF.</summary>
    public IEnumerable<string> SetupCommands() =>
    [
        "++mode 1",                                     // controller-in-charge
        "++auto 0",                                     // no read-after-write: reads only when asked
        "++eoi 1",                                      // assert EOI with the last byte sent
        "++eos 0",                                      // append CR LF to what goes to the instrument
        string.Create(CultureInfo.InvariantCulture, $"++read_tmo_ms {(int)BusReadTimeout.TotalMilliseconds}"),
        string.Create(CultureInfo.InvariantCulture, $"++addr {GpibAddress}"),
        "++clr",                                        // selected device clear: drop a half-sent message from before
    ];

    /// <summary>Sends one message to the instrument (CR, LF, ESC and '+' escaped as the manual's §8 requires).</summary>
    public ValueTask WriteAsync(string message, CancellationToken cancellationToken) =>
        _link.WriteAsync(EscapeData(message), cancellationToken);

    /// <summary>Reads one message from the instrument, up to EOI. No answer within the session's bound is a fault.</summary>
    public async ValueTask<string> ReadAsync(CancellationToken cancellationToken) =>
        (await _link.QueryAsync("++read eoi", cancellationToken)).TrimEnd('\r', '\n');

    /// <summary>Serial-polls the instrument: its status byte (0-255).</summary>
    public async ValueTask<byte> SerialPollAsync(CancellationToken cancellationToken)
    {
        var answer = await _link.QueryAsync("++spoll", cancellationToken);
        if (!byte.TryParse(answer.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var status))
        {
            throw _link.Fault(FaultKind.InstrumentError, $"serial poll answered '{answer}', not a status byte",
                "the adapter's GPIB address setting and that the instrument is on the bus");
        }
        return status;
    }

    /// <summary>Selected device clear (SDC): the instrument drops its input and output buffers.</summary>
    public ValueTask ClearAsync(CancellationToken cancellationToken) => _link.WriteAsync("++clr", cancellationToken);

    public void Disconnect() => _link.Disconnect();

    public HardwareFaultException Fault(FaultKind kind, string message, string whatToCheck, Exception? inner = null) =>
        _link.Fault(kind, message, whatToCheck, inner);

    public ValueTask DisposeAsync() => _link.DisposeAsync();

    /// <summary>Prologix §8: an unescaped CR, LF, ESC or '+' in data would end or start a command; ESC before each keeps it data.</summary>
    public static string EscapeData(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var text = new StringBuilder(message.Length + 4);
        foreach (var c in message)
        {
            if (c is '\r' or '\n' or Escape or '+')
            {
                text.Append(Escape);
            }
            text.Append(c);
        }
        return text.ToString();
    }

    /// <summary>The reverse of <see cref="EscapeData"/> (what the adapter puts on the bus).</summary>
    public static string UnescapeData(string data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var text = new StringBuilder(data.Length);
        for (var i = 0; i < data.Length; i++)
        {
            if (data[i] == Escape && i + 1 < data.Length)
            {
                i++;
            }
            text.Append(data[i]);
        }
        return text.ToString();
    }
}
