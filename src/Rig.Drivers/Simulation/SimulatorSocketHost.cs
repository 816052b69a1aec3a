using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Rig.Drivers.Simulation;

/// <summary>
/// The TCP side every simulated LAN instrument shares: listens (port 0 picks a free port), serves each connection
/// on its own task with the instrument's own conversation, and can refuse new connections or drop the open ones
/// with a reset, as a pulled cable would. A connection that ends for any network reason is closed and forgotten;
/// what the conversation says is the simulator's business.
/// </summary>
public sealed class SimulatorSocketHost : IAsyncDisposable
{
    private readonly Func<NetworkStream, CancellationToken, Task> _converse;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Socket, Task> _connections = new();
    private Task? _acceptLoop;

    /// <param name="converse">One connection's conversation; it returns when the client is done.</param>
    /// <param name="address">Where to listen; loopback when null.</param>
    /// <param name="port">The port; 0 picks a free one.</param>
    public SimulatorSocketHost(Func<NetworkStream, CancellationToken, Task> converse, IPAddress? address = null, int port = 0)
    {
        _converse = converse ?? throw new ArgumentNullException(nameof(converse));
        _listener = new TcpListener(address ?? IPAddress.Loopback, port);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Host => ((IPEndPoint)_listener.LocalEndpoint).Address.ToString();

    /// <summary>"tcp://127.0.0.1:&lt;port&gt;", the address a channel would be configured with.</summary>
    public string Address => $"tcp://{Host}:{Port}";

    /// <summary>When false, new connections are closed as soon as they are accepted: the link is down.</summary>
    public bool AcceptingConnections { get; set; } = true;

    public int OpenConnections => _connections.Count;

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
        try
        {
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            await _converse(stream, stopping);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // the client went away or we dropped it: exactly what a simulator of a flaky link is for
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
