using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Rig.Service.Tests.Telemetry;

/// <summary>
/// A real mosquitto (Debian package) on 127.0.0.1 and a free port, with its own config and persistence
/// directory, started and stopped by the test. Stop is SIGTERM, so mosquitto saves sessions for a restart.
/// </summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    private const string Executable = "/usr/sbin/mosquitto";
    private readonly string _directory;
    private Process? _process;

    private MosquittoBroker(string directory, int port, int tlsPort, int webSocketsPort)
    {
        _directory = directory;
        Port = port;
        TlsPort = tlsPort;
        WebSocketsPort = webSocketsPort;
    }

    /// <summary>The plain MQTT listener on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The TLS listener on 127.0.0.1 when started with TLS files; 0 otherwise.</summary>
    public int TlsPort { get; }

    /// <summary>The MQTT-over-WebSockets listener (which also serves <see cref="BrokerSetup.WebSocketsHttpDirectory"/>); 0 when not asked for.</summary>
    public int WebSocketsPort { get; }

    /// <summary>
    /// Starts a broker; with <paramref name="user"/> it requires that login (password file made by mosquitto_passwd)
    /// on every listener; with <paramref name="tls"/> it also listens with TLS 1.2+ on <see cref="TlsPort"/>.
    /// </summary>
    public static Task<MosquittoBroker> StartAsync((string Name, string Password)? user = null, BrokerTlsFiles? tls = null) =>
        StartAsync(new BrokerSetup { Users = user is { } login ? [login] : [], Tls = tls });

    /// <summary>Starts a broker as <paramref name="setup"/> describes: accounts, ACL, TLS and WebSockets listeners.</summary>
    public static async Task<MosquittoBroker> StartAsync(BrokerSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var directory = Directory.CreateTempSubdirectory("rig-mosquitto-").FullName;
        var broker = new MosquittoBroker(directory, FreePort(), setup.Tls is null ? 0 : FreePort(), setup.WebSocketsHttpDirectory is null ? 0 : FreePort());
        var passwords = Path.Combine(directory, "passwords");
        foreach (var (name, password) in setup.Users)
        {
            string[] arguments = File.Exists(passwords) ? ["-b", passwords, name, password] : ["-b", "-c", passwords, name, password];
            using var passwd = Process.Start("/usr/bin/mosquitto_passwd", arguments)!;
            await passwd.WaitForExitAsync();
            Assert.Equal(0, passwd.ExitCode);
        }
        var access = setup.Users.Count == 0 ? "allow_anonymous true" : $"allow_anonymous false\npassword_file {passwords}";
        if (setup.AclFile is { } acl)
        {
            access += $"\nacl_file {acl}";
        }
        // socket_domain ipv4: mosquitto 2.0.11's WebSockets listener ignores its address otherwise (dashboard/try-it.sh).
        // Listener-specific lines follow their listener line; access lines are global (per_listener_settings false).
        var tls = setup.Tls;
        var tlsListener = tls is null ? "" : $"listener {broker.TlsPort} 127.0.0.1\ncafile {tls.CaFile}\ncertfile {tls.CertFile}\nkeyfile {tls.KeyFile}\ntls_version tlsv1.2";
        var webSockets = setup.WebSocketsHttpDirectory is { } www ? $"listener {broker.WebSocketsPort} 127.0.0.1\nprotocol websockets\nsocket_domain ipv4\nhttp_dir {www}" : "";
        await File.WriteAllTextAsync(Path.Combine(directory, "mosquitto.conf"), $"""
            listener {broker.Port} 127.0.0.1
            {tlsListener}
            {webSockets}
            {access}
            persistence true
            persistence_location {directory}/
            user {Environment.UserName}
            log_dest stderr
            max_queued_messages 100000
            """ + "\n" + string.Concat(setup.ExtraLines.Select(line => line + "\n")));
        await broker.RestartAsync();
        return broker;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts (again) on the same port and persistence directory; returns once it accepts connections.</summary>
    public async Task RestartAsync()
    {
        Assert.True(File.Exists(Executable), "mosquitto is not installed (apt-get install mosquitto)");
        _process = Process.Start(new ProcessStartInfo(Executable, ["-c", Path.Combine(_directory, "mosquitto.conf")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>SIGTERM (mosquitto writes its persistence file) and wait for exit.</summary>
    public async Task StopAsync()
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
        }
        process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_directory, true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>PEM files for a mosquitto TLS listener: the CA that signed the server certificate, the certificate, its key.</summary>
public sealed record BrokerTlsFiles(string CaFile, string CertFile, string KeyFile);

/// <summary>What a <see cref="MosquittoBroker"/> is started with.</summary>
public sealed record BrokerSetup
{
    /// <summary>Accounts (mosquitto_passwd); none = anonymous access allowed.</summary>
    public IReadOnlyList<(string Name, string Password)> Users { get; init; } = [];

    /// <summary>A mosquitto acl_file (e.g. the shipped deploy/mosquitto/central/acl).</summary>
    public string? AclFile { get; init; }

    public BrokerTlsFiles? Tls { get; init; }

    /// <summary>When set, a WebSockets listener that also serves this directory over HTTP (mosquitto's http_dir).</summary>
    public string? WebSocketsHttpDirectory { get; init; }

    /// <summary>Global configuration lines appended as they are (e.g. lines taken from a shipped configuration file).</summary>
    public IReadOnlyList<string> ExtraLines { get; init; } = [];
}
