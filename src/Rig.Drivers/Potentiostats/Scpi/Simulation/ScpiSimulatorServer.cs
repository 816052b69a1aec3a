using System.Net;
using System.Net.Sockets;
using System.Text;
using Rig.Drivers.Simulation;

namespace Rig.Drivers.Potentiostats.Scpi.Simulation;

/// <summary>
/// Serves a <see cref="SimulatedScpiInstrument"/> on a raw SCPI socket, as a LAN instrument does on port 5025:
/// newline-terminated messages in, one answer line per query out. For tests it can delay answers, drop every
/// connection, refuse new ones (a pulled cable) and drop a connection after every N messages.
/// Port 0 picks a free port; <see cref="Port"/> tells which.
/// </summary>
public sealed class ScpiSimulatorServer : IAsyncDisposable
{
    private readonly SimulatedScpiInstrument _instrument;
    private readonly TimeProvider _time;
    private readonly SimulatorSocketHost _host;
    private long _messages;

    public ScpiSimulatorServer(SimulatedScpiInstrument instrument, TimeProvider time, IPAddress? address = null, int port = 0)
    {
        _instrument = instrument ?? throw new ArgumentNullException(nameof(instrument));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _host = new SimulatorSocketHost(ConverseAsync, address, port);
    }

    public SimulatedScpiInstrument Instrument => _instrument;

    public int Port => _host.Port;

    /// <summary>"tcp://127.0.0.1:&lt;port&gt;", the Address a channel would be configured with.</summary>
    public string Address => _host.Address;

    /// <summary>Delay before each answer (an instrument integrating at a long NPLC, a slow link).</summary>
    public TimeSpan ReplyDelay { get; set; }

    /// <summary>When false, new connections are closed as soon as they are accepted: the link is down.</summary>
    public bool AcceptingConnections
    {
        get => _host.AcceptingConnections;
        set => _host.AcceptingConnections = value;
    }

    /// <summary>When above 0, each connection is dropped after this many messages (before answering the last).</summary>
    public int DropEveryMessages { get; set; }

    public int OpenConnections => _host.OpenConnections;

    public long MessagesReceived => Interlocked.Read(ref _messages);

    public void Start() => _host.Start();

    /// <summary>Closes every open connection at once, as a pulled LAN cable followed by a TCP reset would.</summary>
    public void DropConnections() => _host.DropConnections();

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    private async Task ConverseAsync(NetworkStream stream, CancellationToken stopping)
    {
        var messagesOnThisConnection = 0;
        using var reader = new StreamReader(stream, Encoding.ASCII);
        while (!stopping.IsCancellationRequested)
        {
            var line = await reader.ReadLineAsync(stopping);
            if (line is null)
            {
                return;
            }
            Interlocked.Increment(ref _messages);
            if (DropEveryMessages > 0 && ++messagesOnThisConnection >= DropEveryMessages)
            {
                return;
            }
            var answer = _instrument.Execute(line);
            if (answer is null)
            {
                continue;
            }
            if (ReplyDelay > TimeSpan.Zero)
            {
                await Task.Delay(ReplyDelay, _time, stopping);
            }
            await stream.WriteAsync(Encoding.ASCII.GetBytes(answer + "\n"), stopping);
        }
    }
}
