using System.Diagnostics;
using Npgsql;
using Rig.Service.Tests.Telemetry;

namespace Rig.Service.Tests.Archive;

/// <summary>
/// A real PostgreSQL (Debian package postgresql: initdb and pg_ctl from /usr/lib/postgresql/&lt;version&gt;/bin) in a
/// scratch directory, listening on 127.0.0.1 and a free port, trust authentication, started and stopped by the test.
/// PostgreSQL refuses to run as root, so as root it runs as the package's "postgres" account. fsync is off: the tests
/// kill the archive, never the database.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _directory;
    private readonly string _bin;
    private readonly bool _asPostgresUser;

    private PostgresServer(string directory, string bin, int port, bool asPostgresUser)
    {
        _directory = directory;
        _bin = bin;
        Port = port;
        _asPostgresUser = asPostgresUser;
    }

    public int Port { get; }

    private string DataDirectory => Path.Combine(_directory, "data");

    public static async Task<PostgresServer> StartAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0).FirstOrDefault()
            : null;
        Assert.True(bin is not null, "PostgreSQL is not installed (apt-get install postgresql)");
        var directory = Directory.CreateTempSubdirectory("rig-postgres-").FullName;
        var asPostgres = Environment.UserName == "root";
        var server = new PostgresServer(directory, bin!, MosquittoBroker.FreePort(), asPostgres);
        if (asPostgres)
        {
            await server.RunAsync("/usr/bin/chown", ["-R", "postgres:postgres", directory], asUser: false);
        }
        await server.RunAsync(Path.Combine(bin!, "initdb"), ["-D", server.DataDirectory, "-U", "archive", "--auth=trust", "-E", "UTF8", "--no-sync", "--locale=C.UTF-8"]);
        await server.RunAsync(Path.Combine(bin!, "pg_ctl"), ["-D", server.DataDirectory, "-l", Path.Combine(directory, "server.log"), "-w", "-t", "60",
            "-o", $"-p {server.Port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
            "start"]);
        return server;
    }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=archive;Database={database};Pooling=true;Maximum Pool Size=20;Include Error Detail=true";

    /// <summary>A new empty database for one test.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"archive_{Guid.NewGuid():N}"[..20];
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await cmd.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    private async Task RunAsync(string file, string[] arguments, bool asUser = true)
    {
        var start = asUser && _asPostgresUser
            ? new ProcessStartInfo("/usr/sbin/runuser", ["-u", "postgres", "--", file, .. arguments])
            : new ProcessStartInfo(file, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"{Path.GetFileName(file)} failed ({process.ExitCode}): {await output}{await error}");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", DataDirectory, "-m", "immediate", "-w", "stop"]);
        }
        finally
        {
            try
            {
                Directory.Delete(_directory, true);
            }
            catch (IOException)
            {
            }
        }
    }
}

/// <summary>One PostgreSQL for all archive tests of a class (initdb costs seconds); each test makes its own database.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PostgresServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
