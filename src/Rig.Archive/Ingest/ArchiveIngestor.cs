using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Rig.Archive.Storage;

namespace Rig.Archive.Ingest;

/// <summary>
/// Takes received messages in batches (up to Archive:BatchSize, or what arrived within Archive:BatchDelay of the
/// first), writes each batch in one transaction, and only then acknowledges its messages to the broker. A batch
/// that cannot be written (PostgreSQL down) is retried with back-off and stays unacknowledged meanwhile, so the
/// broker stops sending once Archive:MaxInFlight messages wait: memory stays bounded, nothing is dropped.
/// </summary>
public sealed partial class ArchiveIngestor : BackgroundService
{
    private readonly LabSubscription _subscription;
    private readonly ArchiveWriter _writer;
    private readonly ArchiveOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ArchiveIngestor> _logger;
    private long _samples;
    private long _messages;
    private long _duplicates;

    public ArchiveIngestor(LabSubscription subscription, ArchiveWriter writer, IOptions<ArchiveOptions> options, TimeProvider time,
        ILogger<ArchiveIngestor> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _subscription = subscription;
        _writer = writer;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>New samples written since start (duplicates not counted).</summary>
    public long SamplesWritten => Interlocked.Read(ref _samples);

    /// <summary>Messages committed and acknowledged since start.</summary>
    public long MessagesCommitted => Interlocked.Read(ref _messages);

    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>
    /// Up to Archive:Writers batches are written at once, each on its own connection (PostgreSQL runs one backend per
    /// connection, so one writer uses one core of it). Acknowledgements still go out in arrival order, as MQTT 5 asks
    /// (§4.6): a batch is acknowledged only after it and every batch received before it are committed. The writes need
    /// no order: every row is keyed by the rig's (rig, stream, seq), channel_now and tests are upserted with time/LEAST
    /// guards in key order, and stream heads are read from the archived keys by the gap monitor.
    /// </summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _subscription.Received;
        var writing = new Queue<(List<ArchiveMessage> Batch, Task Write)>();
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                var batch = new List<ArchiveMessage>(_options.BatchSize);
                await FillAsync(batch, stoppingToken);
                writing.Enqueue((batch, WriteWithRetryAsync(batch, stoppingToken)));
                // Acknowledge what is done, in order; wait for the oldest when every writer is busy, and for all of them
                // when nothing more is waiting (an idle archive must not sit on acknowledgements).
                while (writing.Count > 0 && (writing.Count >= _options.Writers || writing.Peek().Write.IsCompleted || !reader.TryPeek(out _)))
                {
                    var (done, write) = writing.Dequeue();
                    await write;
                    await AcknowledgeAsync(done, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Unacknowledged messages stay in the broker's session and come again.
        }
    }

    private async Task FillAsync(List<ArchiveMessage> batch, CancellationToken stoppingToken)
    {
        var reader = _subscription.Received;
        using var window = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        window.CancelAfter(_options.BatchDelay);
        while (batch.Count < _options.BatchSize)
        {
            while (batch.Count < _options.BatchSize && reader.TryRead(out var message))
            {
                batch.Add(message);
            }
            if (batch.Count >= _options.BatchSize)
            {
                break;
            }
            try
            {
                if (!await reader.WaitToReadAsync(window.Token))
                {
                    break;
                }
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                break;
            }
        }
    }

    private async Task WriteWithRetryAsync(List<ArchiveMessage> batch, CancellationToken stoppingToken)
    {
        // Off this loop's thread: parsing a batch is CPU work that may overlap the other writers' and the next fill.
        await Task.Yield();
        var rows = BatchRows.From(batch);
        var delay = TimeSpan.FromMilliseconds(500);
        while (true)
        {
            try
            {
                var result = await _writer.WriteAsync(rows, stoppingToken);
                Interlocked.Add(ref _samples, result.SamplesInserted);
                Interlocked.Add(ref _duplicates, result.Duplicates);
                if (result.Rejected > 0)
                {
                    LogRejected(result.Rejected);
                }
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                LogWriteFailed(batch.Count, delay, ex.Message);
                await Task.Delay(delay, _time, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }
    }

    private async Task AcknowledgeAsync(List<ArchiveMessage> batch, CancellationToken stoppingToken)
    {
        // PUBACKs not sent: the connection that carried them is gone; the broker redelivers those messages on the resumed
        // session and the keys drop them.
        var result = await _subscription.AcknowledgeAsync(batch, stoppingToken);
        if (result.Failure is { } failure)
        {
            LogAcknowledgeFailed(result.Failed, failure.GetType().Name, failure.Message);
        }
        Interlocked.Add(ref _messages, batch.Count);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Archive could not write a batch of {Count} messages, retrying in {Delay} (they stay unacknowledged): {Reason}")]
    private partial void LogWriteFailed(int count, TimeSpan delay, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} acknowledgements of a written batch not sent ({Type}: {Reason}); the broker sends those messages again and the archive drops them as duplicates")]
    private partial void LogAcknowledgeFailed(int count, string type, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Archive ignored {Count} messages that are not rig payloads (no JSON object or no seq)")]
    private partial void LogRejected(int count);
}
