using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Rig.Archive.Storage;

/// <summary>
/// Once a day, when Archive:SampleRetention is set, drops the monthly sample partitions that ended before now minus
/// the retention (whole months: DROP TABLE is instant and leaves no bloat, where DELETE would rewrite the table).
/// Cycle summaries, events and tests are small and kept.
/// </summary>
public sealed partial class RetentionService : BackgroundService
{
    private readonly ArchiveDatabase _database;
    private readonly ArchiveOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RetentionService> _logger;

    public RetentionService(ArchiveDatabase database, IOptions<ArchiveOptions> options, TimeProvider time, ILogger<RetentionService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _database = database;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.SampleRetention == TimeSpan.Zero)
        {
            return;
        }
        using var timer = new PeriodicTimer(TimeSpan.FromDays(1), _time);
        try
        {
            do
            {
                try
                {
                    foreach (var name in await _database.DropPartitionsBeforeAsync(_time.GetUtcNow() - _options.SampleRetention, stoppingToken))
                    {
                        LogDropped(name);
                    }
                }
                catch (NpgsqlException ex)
                {
                    LogFailed(ex.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: dropped sample partition {Name}")]
    private partial void LogDropped(string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention pass failed, tomorrow's retries: {Reason}")]
    private partial void LogFailed(string reason);
}
