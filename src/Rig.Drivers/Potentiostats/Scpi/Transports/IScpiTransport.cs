namespace Rig.Drivers.Potentiostats.Scpi.Transports;

/// <summary>
/// A byte link to one SCPI instrument that carries newline-terminated messages. Implementations open the link in
/// <see cref="ConnectAsync"/>, and after any failure they are closed and may be connected again (a dropped LAN
/// cable, a USB reset). Every read honours its token; the session bounds each with a time-out.
/// Not thread-safe: one session owns a transport.
/// </summary>
public interface IScpiTransport : IAsyncDisposable
{
    /// <summary>The address as configured ("tcp://10.0.0.5:5025"), for logs and faults.</summary>
    string Address { get; }

    bool IsConnected { get; }

    ValueTask ConnectAsync(CancellationToken cancellationToken);

    /// <summary>Sends one program message; the transport appends its termination.</summary>
    ValueTask WriteLineAsync(string message, CancellationToken cancellationToken);

    /// <summary>Reads one response message, without its termination.</summary>
    ValueTask<string> ReadLineAsync(CancellationToken cancellationToken);

    /// <summary>Closes the link; a later <see cref="ConnectAsync"/> opens it again.</summary>
    void Close();
}
