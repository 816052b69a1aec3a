using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Rig.Archive;
using Rig.Archive.Ingest;

namespace Rig.Service.Tests.Archive;

/// <summary>The archive as its Program composes it (AddArchive), in process, configured like archive.json would.</summary>
public sealed class ArchiveHost : IAsyncDisposable
{
    private readonly IHost _host;
    private bool _stopped;

    private ArchiveHost(IHost host, string connectionString)
    {
        _host = host;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public ArchiveIngestor Ingestor => _host.Services.GetRequiredService<ArchiveIngestor>();

    /// <summary>Test defaults: anonymous broker, small batches, a gap scan every 200 ms with no grace.</summary>
    public static Dictionary<string, string?> Settings(int brokerPort, string prefix, string connectionString, string clientId) => new()
    {
        ["Archive:Broker"] = "127.0.0.1",
        ["Archive:Port"] = brokerPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Archive:Username"] = "",
        ["Archive:TopicPrefix"] = prefix,
        ["Archive:ClientId"] = clientId,
        ["Archive:ConnectionString"] = connectionString,
        ["Archive:BatchSize"] = "500",
        ["Archive:BatchDelay"] = "00:00:00.050",
        ["Archive:MaxInFlight"] = "2000",
        ["Archive:GapScanPeriod"] = "00:00:00.200",
        ["Archive:GapGrace"] = "00:00:00",
        ["Archive:ReplayRetry"] = "00:00:02",
        ["Archive:ReconnectMinDelay"] = "00:00:00.100",
        ["Archive:ReconnectMaxDelay"] = "00:00:00.500",
    };

    public static async Task<ArchiveHost> StartAsync(Dictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddArchive(builder.Configuration);
        var host = builder.Build();
        await host.StartAsync();
        var archive = new ArchiveHost(host, settings["Archive:ConnectionString"]!);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await host.Services.GetRequiredService<LabSubscription>().WaitConnectedAsync(timeout.Token);
        return archive;
    }

    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _host.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _host.Dispose();
    }
}

/// <summary>Reads the archive database from the test.</summary>
public static class ArchiveDb
{
    public static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        var value = await cmd.ExecuteScalarAsync();
        return value is DBNull or null ? default! : (T)Convert.ChangeType(value, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static async Task<List<long>> SeqsAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        var seqs = new List<long>();
        while (await reader.ReadAsync())
        {
            seqs.Add(reader.GetInt64(0));
        }
        return seqs;
    }

    /// <summary>Polls until <paramref name="done"/> holds (real time: the broker and the database are real).</summary>
    public static Task WaitUntilAsync(Func<Task<bool>> done, TimeSpan timeout, string what) => WaitUntilAsync(done, timeout, () => what);

    /// <summary>As above; <paramref name="what"/> is asked only on a time-out (e.g. for a process's output by then).</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> done, TimeSpan timeout, Func<string> what)
    {
        ArgumentNullException.ThrowIfNull(done);
        ArgumentNullException.ThrowIfNull(what);
        var deadline = DateTime.UtcNow + timeout;
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what()}");
            await Task.Delay(100);
        }
    }
}
