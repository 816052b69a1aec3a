using System.Diagnostics;
using Npgsql;

namespace Rig.Bench;

/// <summary>
/// A scratch PostgreSQL for the archive benchmark (Debian's package; as root it runs as "postgres"). Unlike the tests'
/// server it keeps fsync on: an ingest figure without durable commits would flatter the archive.
/// </summary>
internal sealed class BenchPostgres : IAsyncDisposable
{
    private readonly string _directory;
    private readonly string _bin;

    private BenchPostgres(string directory, string bin, int port)
    {
        _directory = directory;
        _bin = bin;
        Port = port;
    }

    public int Port { get; }

    /// <summary>CPU seconds used so far by the server and its backends.</summary>
    public double CpuSeconds() => ProcessCpu.Seconds(ProcessCpu.Postmaster(Path.Combine(_directory, "data")));

    public static async Task<BenchPostgres> StartAsync()
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().First();
        var directory = Directory.CreateTempSubdirectory("rig-bench-pg-").FullName;
        var server = new BenchPostgres(directory, bin, TelemetryBench.FreePort());
        if (Environment.UserName == "root")
        {
            await RunAsync("/usr/bin/chown", ["-R", "postgres:postgres", directory], false);
        }
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", Path.Combine(directory, "data"), "-U", "archive", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
        // The shipped settings (deploy/archive/postgresql.conf) appended to initdb's file: later lines win.
        // RIG_BENCH_ARCHIVE_PG_CONF names another file to try, or "none" for PostgreSQL's defaults.
        var settings = Environment.GetEnvironmentVariable("RIG_BENCH_ARCHIVE_PG_CONF") is { Length: > 0 } chosen ? chosen
            : Path.Combine(AppContext.BaseDirectory, "archive-postgresql.conf");
        if (settings != "none")
        {
            await File.AppendAllTextAsync(Path.Combine(directory, "data", "postgresql.conf"), $"\n# {settings}\n{await File.ReadAllTextAsync(settings)}");
        }
        // track_commit_timestamp: the bench reads when the last sample was committed from the rows themselves (one more
        // SLRU entry per transaction, i.e. per batch).
        Console.WriteLine($"archive bench PostgreSQL settings: {(settings == "none" ? "defaults" : settings)}, shared_buffers=256MB, track_commit_timestamp=on");
        await RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", Path.Combine(directory, "data"), "-l", Path.Combine(directory, "log"), "-w",
            "-o", $"-p {server.Port} -k {directory} -c listen_addresses=127.0.0.1 -c shared_buffers=256MB -c track_commit_timestamp=on", "start"]);
        return server;
    }

    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"bench_{Guid.NewGuid():N}"[..16];
        await using (var connection = new NpgsqlConnection(ConnectionString("postgres")))
        {
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await cmd.ExecuteNonQueryAsync();
        }
        return ConnectionString(name);
    }

    private string ConnectionString(string database) => $"Host=127.0.0.1;Port={Port};Username=archive;Database={database}";

    private static async Task RunAsync(string file, string[] arguments, bool asPostgres = true)
    {
        var start = asPostgres && Environment.UserName == "root"
            ? new ProcessStartInfo("/usr/sbin/runuser", ["-u", "postgres", "--", file, .. arguments])
            : new ProcessStartInfo(file, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} failed: {await output}{await error}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Path.Combine(_directory, "data"), "-m", "fast", "-w", "stop"]);
        Directory.Delete(_directory, true);
    }
}
