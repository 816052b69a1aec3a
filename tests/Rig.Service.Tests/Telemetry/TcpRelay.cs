using System.Net;
using System.Net.Sockets;

namespace Rig.Service.Tests.Telemetry;

/// <summary>
/// A TCP forwarder between the service's client and the broker, which a test can cut like a pulled cable or a
/// killed process: sockets reset, no MQTT DISCONNECT, and no new connections until <see cref="Resume"/>.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly int _targetPort;
    private readonly TimeSpan _replyLatency;
    private readonly List<TcpClient> _open = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private TcpListener? _listener;
    private Task? _accepting;

    /// <param name="targetPort">The broker's port on 127.0.0.1.</param>
    /// <param name="replyLatency">
    /// Each chunk from the broker to the client is held this long before it is forwarded (a slow link: every PUBACK
    /// comes late, so a publisher that awaits them falls behind). Zero = forward at once.
    /// </param>
    public TcpRelay(int targetPort, TimeSpan replyLatency = default)
    {
        _targetPort = targetPort;
        _replyLatency = replyLatency;
        Port = MosquittoBroker.FreePort();
        Resume();
    }

    public int Port { get; }

    public void Resume()
    {
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Start();
        var listener = _listener;
        _accepting = Task.Run(() => AcceptAsync(listener));
    }

    /// <summary>Resets every relayed connection and stops accepting new ones.</summary>
    public void Cut()
    {
        _listener?.Stop();
        _listener = null;
        lock (_lock)
        {
            foreach (var client in _open)
            {
                try
                {
                    // RST, like a dead process (the pump may already have closed this side).
                    client.Client?.LingerState = new LingerOption(true, 0);
                }
                catch (ObjectDisposedException)
                {
                }
                client.Dispose();
            }
            _open.Clear();
        }
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var inbound = await listener.AcceptTcpClientAsync(_stop.Token);
                var outbound = new TcpClient();
                await outbound.ConnectAsync(IPAddress.Loopback, _targetPort);
                lock (_lock)
                {
                    _open.Add(inbound);
                    _open.Add(outbound);
                }
                _ = PumpAsync(inbound, outbound, TimeSpan.Zero);
                _ = PumpAsync(outbound, inbound, _replyLatency);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    private static async Task PumpAsync(TcpClient from, TcpClient to, TimeSpan latency)
    {
        try
        {
            if (latency <= TimeSpan.Zero)
            {
                await from.GetStream().CopyToAsync(to.GetStream());
            }
            else
            {
                var buffer = new byte[64 * 1024];
                int read;
                while ((read = await from.GetStream().ReadAsync(buffer)) > 0)
                {
                    await Task.Delay(latency);
                    await to.GetStream().WriteAsync(buffer.AsMemory(0, read));
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
        }
        to.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Cut();
        if (_accepting is not null)
        {
            await _accepting;
        }
        _stop.Dispose();
    }
}
