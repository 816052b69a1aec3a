using System.Net.Sockets;
using Rig.Drivers.Faults;
using Rig.Drivers.Potentiostats.Scpi.Transports;

namespace Rig.Drivers.Potentiostats.Scpi;

/// <summary>
/// IEEE 488.2 / SCPI message exchange over one transport: write, query, the common commands, and the error-queue
/// check that follows every configuring sequence. Every wait is bounded by <see cref="ScpiTimeouts"/> on the rig
/// clock. Any link failure or time-out closes the link (a late answer must never be taken for the next query's)
/// and becomes a typed fault; the next call reconnects. Not thread-safe: the channel that owns it serialises calls.
/// </summary>
public sealed class ScpiSession : IAsyncDisposable
{
    /// <summary>More errors than this in a row means the queue is not draining: the instrument is unwell.</summary>
    private const int MaxErrorsPerCheck = 32;
    private readonly IScpiTransport _transport;
    private readonly TimeProvider _time;
    private readonly ScpiTimeouts _timeouts;

    public ScpiSession(IScpiTransport transport, string device, TimeProvider time, ScpiTimeouts? timeouts = null)
    {
        _transport = transport ?? throw new ArgumentNullException(nameof(transport));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _timeouts = timeouts ?? ScpiTimeouts.Default;
        Device = device;
    }

    public string Device { get; }

    public bool IsConnected => _transport.IsConnected;

    /// <summary>
    /// Serialises every operation on the instrument. Channels of one instrument (the B2902A's two) share the session
    /// and so this gate: one channel's configure-then-read-the-error-queue can never interleave with the other's.
    /// </summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>Counts successful connects: a channel prepared on an earlier connection prepares again.</summary>
    public long ConnectionEpoch { get; private set; }

    /// <summary>Opens the link (closing a stale one first).</summary>
    public async ValueTask ConnectAsync(CancellationToken cancellationToken)
    {
        using var deadline = Deadline(_timeouts.Connect, cancellationToken, out var timeout);
        try
        {
            await _transport.ConnectAsync(deadline.Token);
            ConnectionEpoch++;
        }
        catch (Exception ex) when (IsLinkFailure(ex) || (ex is OperationCanceledException && timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested))
        {
            _transport.Close();
            throw Fault(FaultKind.DeviceNotResponding, $"cannot connect to {_transport.Address}: {ex.Message}",
                "the instrument's power, its LAN/USB/serial cable and the configured address", ex);
        }
        finally
        {
            timeout.Dispose();
        }
    }

    public void Disconnect() => _transport.Close();

    public async ValueTask WriteAsync(string command, CancellationToken cancellationToken) =>
        await ExchangeAsync(command, expectAnswer: false, cancellationToken);

    public async ValueTask<string> QueryAsync(string query, CancellationToken cancellationToken) =>
        (await ExchangeAsync(query, expectAnswer: true, cancellationToken))!;

    /// <summary>*IDN?: maker, model, serial number, firmware (IEEE 488.2 §10.14).</summary>
    public async ValueTask<InstrumentIdentity> IdentifyAsync(CancellationToken cancellationToken)
    {
        var answer = await QueryAsync("*IDN?", cancellationToken);
        try
        {
            return InstrumentIdentity.Parse(answer);
        }
        catch (FormatException ex)
        {
            throw Fault(FaultKind.InstrumentMismatch, ex.Message, "that the address points at a SCPI instrument", ex);
        }
    }

    /// <summary>*RST: the instrument's default state (output off on both SMU families).</summary>
    public ValueTask ResetAsync(CancellationToken cancellationToken) => WriteAsync("*RST", cancellationToken);

    /// <summary>*CLS: clears the event registers and the error queue.</summary>
    public ValueTask ClearStatusAsync(CancellationToken cancellationToken) => WriteAsync("*CLS", cancellationToken);

    /// <summary>*OPC?: waits until pending operations finish (the instrument answers "1").</summary>
    public async ValueTask WaitOperationCompleteAsync(CancellationToken cancellationToken)
    {
        var answer = await QueryAsync("*OPC?", cancellationToken);
        if (answer.Trim() != "1")
        {
            throw Fault(FaultKind.InstrumentError, $"*OPC? answered '{answer}' instead of 1", "the instrument's state");
        }
    }

    /// <summary>Reads :SYST:ERR? until the queue reports no error; returns what it held.</summary>
    public async ValueTask<IReadOnlyList<ScpiError>> ReadErrorQueueAsync(CancellationToken cancellationToken)
    {
        var errors = new List<ScpiError>();
        for (var i = 0; i < MaxErrorsPerCheck; i++)
        {
            var answer = await QueryAsync(":SYST:ERR?", cancellationToken);
            ScpiError error;
            try
            {
                error = ScpiError.Parse(answer);
            }
            catch (FormatException ex)
            {
                throw Fault(FaultKind.InstrumentError, ex.Message, "the instrument's command set (*LANG SCPI)", ex);
            }
            if (error.IsNoError)
            {
                return errors;
            }
            errors.Add(error);
        }
        return errors;
    }

    /// <summary>Throws <see cref="FaultKind.InstrumentError"/> with the instrument's own text if its queue holds errors.</summary>
    public async ValueTask ThrowIfErrorsAsync(string operation, CancellationToken cancellationToken)
    {
        var errors = await ReadErrorQueueAsync(cancellationToken);
        if (errors.Count > 0)
        {
            throw Fault(FaultKind.InstrumentError, $"{operation}: {string.Join("; ", errors)}",
                "the command the instrument refused (range, limit, front-panel state)");
        }
    }

    /// <summary>Sends a configuring sequence, then checks the error queue: every setting is either in force or a fault.</summary>
    public async ValueTask ConfigureAsync(string operation, IEnumerable<string> commands, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commands);
        foreach (var command in commands)
        {
            await WriteAsync(command, cancellationToken);
        }
        await ThrowIfErrorsAsync(operation, cancellationToken);
    }

    public ValueTask DisposeAsync() => _transport.DisposeAsync();

    public HardwareFaultException Fault(FaultKind kind, string message, string whatToCheck, Exception? inner = null) =>
        new(new HardwareFault(kind, Device, message, whatToCheck), inner);

    private async Task<string?> ExchangeAsync(string message, bool expectAnswer, CancellationToken cancellationToken)
    {
        if (!_transport.IsConnected)
        {
            throw Fault(FaultKind.InstrumentLinkLost, $"link to {_transport.Address} is down", "the instrument's LAN/USB/serial cable");
        }
        using var deadline = Deadline(_timeouts.Response, cancellationToken, out var timeout);
        try
        {
            await _transport.WriteLineAsync(message, deadline.Token);
            return expectAnswer ? await _transport.ReadLineAsync(deadline.Token) : null;
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            _transport.Close();
            throw Fault(FaultKind.DeviceTimeout, $"no answer to '{message}' within {_timeouts.Response.TotalSeconds:0.###} s",
                "the instrument's link, and whether it shows an error or is busy", ex);
        }
        catch (OperationCanceledException)
        {
            _transport.Close(); // the answer may still arrive: it must not be read as the next query's
            throw;
        }
        catch (Exception ex) when (IsLinkFailure(ex))
        {
            _transport.Close();
            throw Fault(FaultKind.InstrumentLinkLost, $"link to {_transport.Address} dropped during '{message}': {ex.Message}",
                "the instrument's LAN/USB/serial cable and power", ex);
        }
        finally
        {
            timeout.Dispose();
        }
    }

    private CancellationTokenSource Deadline(TimeSpan limit, CancellationToken cancellationToken, out CancellationTokenSource timeout)
    {
        timeout = new CancellationTokenSource(limit, _time);
        return CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
    }

    private static bool IsLinkFailure(Exception ex) =>
        ex is IOException or SocketException or ObjectDisposedException or UnauthorizedAccessException or InvalidOperationException;
}
