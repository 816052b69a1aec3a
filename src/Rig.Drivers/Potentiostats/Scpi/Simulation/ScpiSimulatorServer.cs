using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

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
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Socket, Task> _connections = new();
    private Task? _acceptLoop;
    private long _messages;

    public ScpiSimulatorServer(SimulatedScpiInstrument instrument, TimeProvider time, IPAddress? address = null, int port = 0)
    {
        _instrument = instrument ?? throw new ArgumentNullException(nameof(instrument));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _listener = new TcpListener(address ?? IPAddress.Loopback, port);
    }

    public SimulatedScpiInstrument Instrument => _instrument;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>"tcp://127.0.0.1:&lt;port&gt;", the Address a channel would be configured with.</summary>
    public string Address => $"tcp://{((IPEndPoint)_listener.LocalEndpoint).Address}:{Port}";

    /// <summary>Delay before each answer (an instrument integrating at a long NPLC, a slow link).</summary>
    public TimeSpan ReplyDelay { get; set; }

    /// <summary>When false, new connections are closed as soon as they are accepted: the link is down.</summary>
    public bool AcceptingConnections { get; set; } = true;

    /// <summary>When above 0, each connection is dropped after this many messages (before answering the last).</summary>
    public int DropEveryMessages { get; set; }

    public int OpenConnections => _connections.Count;

    public long MessagesReceived => Interlocked.Read(ref _messages);

    public void Start()
    {
        _listener.Start();
        _acceptLoop = AcceptLoopAsync(_stopping.Token);
    }

    /// <summary>Closes every open connection at once, as a pulled LAN cable followed by a TCP reset would.</summary>
    public void DropConnections()
    {
        foreach (var socket in _connections.Keys)
        {
            Abort(socket);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        DropConnections();
        if (_acceptLoop is not null)
        {
            await _acceptLoop;
        }
        await Task.WhenAll(_connections.Values);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(stopping);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            if (!AcceptingConnections)
            {
                Abort(socket);
                continue;
            }
            socket.NoDelay = true;
            // Registered before it runs, so a connection that ends at once is never left behind in the table.
            var serve = new Task<Task>(() => ServeAsync(socket, stopping));
            _connections[socket] = serve.Unwrap();
            serve.Start(TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(Socket socket, CancellationToken stopping)
    {
        var messagesOnThisConnection = 0;
        try
        {
            await using var stream = new NetworkStream(socket, ownsSocket: false);
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
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // the client went away or we dropped it: exactly what this server is for
        }
        finally
        {
            Abort(socket);
            _connections.TryRemove(socket, out _);
        }
    }

    private static void Abort(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0); // RST, not FIN: the client sees the drop at once
            socket.Close();
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // already closed
        }
    }
}
