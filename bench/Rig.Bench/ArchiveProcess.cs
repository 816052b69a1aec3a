using System.Diagnostics;
using System.Globalization;
using MQTTnet;
using MQTTnet.Protocol;
using Npgsql;

namespace Rig.Bench;

/// <summary>
/// The archive as deployed: its own process (dotnet Rig.Archive.dll, configured by environment variables) on a fresh
/// database and its own topic prefix (an earlier run's persistent session, still on the broker, must not queue this
/// run's messages). Progress is read from the database: count(*) of samples, polled once a second (a full scan, so not
/// more often: its CPU is PostgreSQL's in the figures), and the time of the last commit from the rows' commit timestamps,
/// exact whatever the polling. (stream_heads.high_seq no longer moves with every batch: the gap monitor sets it.)
/// </summary>
internal sealed class ArchiveProcess : IAsyncDisposable
{
    private readonly ProcessStartInfo _start;
    private readonly string _connectionString;
    private Process _process;

    private ArchiveProcess(ProcessStartInfo start, string connectionString, string prefix)
    {
        _start = start;
        _process = Launch(start);
        _connectionString = connectionString;
        Prefix = prefix;
    }

    public int Pid => _process.Id;

    /// <summary>The topic prefix this archive reads; the load generator publishes under it.</summary>
    public string Prefix { get; }

    /// <summary>Starts the archive on a fresh database of <paramref name="postgres"/> and waits until it is subscribed.</summary>
    /// <param name="postgres">The bench's PostgreSQL.</param>
    /// <param name="port">The broker's port on loopback.</param>
    /// <param name="name">Names the run's topic prefix and client id.</param>
    /// <param name="writers">Archive:Writers.</param>
    /// <param name="sessionExpiry">How long the broker keeps the archive's session (and queues for it) while it is stopped; 1 min if null.</param>
    public static async Task<ArchiveProcess> StartAsync(BenchPostgres postgres, int port, string name, int writers, TimeSpan? sessionExpiry = null)
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        var prefix = $"bench{name}";
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Rig.Archive.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["Archive__Broker"] = "127.0.0.1",
                ["Archive__Port"] = port.ToString(CultureInfo.InvariantCulture),
                ["Archive__Username"] = "",
                ["Archive__TopicPrefix"] = prefix,
                ["Archive__ClientId"] = $"archive-{name}-{Guid.NewGuid():N}",
                ["Archive__SessionExpiry"] = (sessionExpiry ?? TimeSpan.FromMinutes(1)).ToString("c", CultureInfo.InvariantCulture),
                ["Archive__ConnectionString"] = connectionString,
                ["Archive__Writers"] = writers.ToString(CultureInfo.InvariantCulture),
                ["Logging__LogLevel__Default"] = "Warning",
                ["DOTNET_ENVIRONMENT"] = "Production",
            },
        };
        var archive = new ArchiveProcess(start, connectionString, prefix);
        await archive.WaitSubscribedAsync(port);
        return archive;
    }

    /// <summary>
    /// Stops the archive as systemd does (SIGTERM, a clean exit): its persistent session stays on the broker, which
    /// queues everything published under the prefix until <see cref="StartAgain"/>.
    /// </summary>
    public Task StopAsync() => TerminateAsync(_process);

    /// <summary>The same archive again (client id, prefix, database): the broker delivers what it queued meanwhile.</summary>
    public void StartAgain()
    {
        _process.Dispose();
        _process = Launch(_start);
    }

    private static Process Launch(ProcessStartInfo start)
    {
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Echo(e.Data);
        process.ErrorDataReceived += (_, e) => Echo(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>When the given shares (0-1) of the samples had been committed, by the rows' commit timestamps, in one pass.</summary>
    public async Task<DateTime[]> CommitTimesAsync(params double[] shares)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT percentile_disc($1) WITHIN GROUP (ORDER BY pg_xact_commit_timestamp(xmin)) FROM samples", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = shares, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Double });
        return (DateTime[])(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Samples committed so far.</summary>
    public async Task<long> CommittedAsync()
    {
        try
        {
            return await ScalarAsync("SELECT count(*) FROM samples");
        }
        catch (PostgresException)
        {
            return 0; // not migrated yet
        }
    }

    /// <summary>Rows in table samples: the exact count, read once a run is over.</summary>
    public Task<long> CountAsync() => ScalarAsync("SELECT count(*) FROM samples");

    /// <summary>When the last sample was committed (PostgreSQL's clock: the same machine's).</summary>
    public async Task<DateTime> LastCommitAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT max(pg_xact_commit_timestamp(xmin)) FROM samples", connection);
        return (DateTime)(await command.ExecuteScalarAsync())!;
    }

    public async Task<bool> WaitForAsync(long samples, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (await CommittedAsync() < samples)
        {
            if (clock.Elapsed > timeout || _process.HasExited)
            {
                return false;
            }
            await Task.Delay(1000);
        }
        return true;
    }

    /// <summary>Publishes a status message under the prefix until the archive has written it: it is then subscribed.</summary>
    private async Task WaitSubscribedAsync(int port)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId($"probe-{Guid.NewGuid():N}")
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).Build());
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited || clock.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new InvalidOperationException("the archive did not start (see its output above)");
            }
            await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"{Prefix}/probe/status").WithPayload("online")
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            await Task.Delay(300);
            try
            {
                if (await ScalarAsync("SELECT count(*) FROM rigs WHERE rig = 'probe'") == 1)
                {
                    break;
                }
            }
            catch (PostgresException)
            {
                // Not migrated yet.
            }
        }
        await client.DisconnectAsync();
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static void Echo(string? line)
    {
        if (!string.IsNullOrWhiteSpace(line))
        {
            Console.Error.WriteLine($"  archive: {line}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await TerminateAsync(_process);
        _process.Dispose();
    }

    private static async Task TerminateAsync(Process process)
    {
        if (process.HasExited)
        {
            return;
        }
        Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }
}
