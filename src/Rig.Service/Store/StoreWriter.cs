using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Rig.Service.Store;

/// <summary>
/// The one thread that commits the channels' records to the store, so a channel loop hands a record over and goes
/// on while an SD card's fsync takes its 50-200 ms. Records queue in order (bounded: <see cref="StoreOptions.WriteQueueCapacity"/>);
/// the writer takes everything queued (at most <see cref="StoreOptions.MaxGroupRecords"/>) and commits it as one
/// transaction with one fsync, so the group grows by itself while a commit is slow and shrinks to one record when the
/// disk is fast. Work that follows a commit (the cycle history rebuild) runs here too, after the commit.
/// <para>
/// Durability: a record is durable once its group committed; a power cut or SIGKILL loses what was queued or in the
/// group being committed, never a committed group. Telemetry rows are written in the same transaction as their data,
/// so the outbox never publishes a record before it is durable.
/// </para>
/// <para>
/// A commit that fails (disk full, I/O error, read-only file system) is retried with the same group, in order, after
/// a delay doubling from 1 s to 30 s; meanwhile <see cref="Problem"/> names the failure (the store-unavailable
/// interlock reads it) and records keep queuing. When the queue is full a caller waits for room at most
/// <see cref="StoreOptions.WriteQueueFullWait"/>; after that its record is dropped, counted in <see cref="Dropped"/>
/// and logged: a channel loop must never be held by a dead disk (it still has to turn outputs off).
/// </para>
/// </summary>
public sealed partial class StoreWriter : IDisposable
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(30);
    private readonly RigStore _store;
    private readonly StoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<Work> _queue;
    private readonly Thread _thread;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ManualResetEventSlim _stopped = new();
    private long _committed;
    private long _groups;
    private long _dropped;
    private volatile string? _problem;

    public StoreWriter(RigStore store, IOptions<StoreOptions> options, TimeProvider time, ILogger<StoreWriter>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _options = options.Value;
        _time = time;
        _logger = logger ?? NullLogger<StoreWriter>.Instance;
        _queue = Channel.CreateBounded<Work>(new BoundedChannelOptions(_options.WriteQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _thread = new Thread(Run) { IsBackground = true, Name = "store writer" };
        _thread.Start();
    }

    /// <summary>Why the store does not take writes now (the last commit failed), or null when it does.</summary>
    public string? Problem => _problem;

    /// <summary>Raised on the writer thread when <see cref="Problem"/> changes (null = the store accepts writes again).</summary>
    public event Action<string?>? ProblemChanged;

    /// <summary>Records committed since start.</summary>
    public long Committed => Interlocked.Read(ref _committed);

    /// <summary>Group commits since start.</summary>
    public long Groups => Interlocked.Read(ref _groups);

    /// <summary>Records refused because the queue stayed full longer than <see cref="StoreOptions.WriteQueueFullWait"/>.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Records queued and not yet committed.</summary>
    public int Pending => _queue.Reader.Count;

    /// <summary>
    /// Queues <paramref name="write"/> (run inside the group's transaction, on the writer thread) and
    /// <paramref name="afterCommit"/> (run on the writer thread once the group is durable). Returns at once unless
    /// the queue is full; then waits for room at most <see cref="StoreOptions.WriteQueueFullWait"/>. False if the
    /// record was dropped.
    /// </summary>
    public ValueTask<bool> EnqueueAsync(Action<SqliteTransaction> write, Action? afterCommit = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        var work = new Work(write, afterCommit, null);
        return _queue.Writer.TryWrite(work) ? ValueTask.FromResult(true) : WaitForRoomAsync(work, cancellationToken);
    }

    /// <summary>Completes once everything queued before it is committed and its after-commit work has run.</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _queue.Writer.TryWrite(new Work(null, null, done)) ? done.Task.WaitAsync(cancellationToken) : FlushSlowAsync(done, cancellationToken);
    }

    private async Task FlushSlowAsync(TaskCompletionSource done, CancellationToken cancellationToken)
    {
        await _queue.Writer.WriteAsync(new Work(null, null, done), cancellationToken);
        await done.Task.WaitAsync(cancellationToken);
    }

    private async ValueTask<bool> WaitForRoomAsync(Work work, CancellationToken cancellationToken)
    {
        using var patience = new CancellationTokenSource(_options.WriteQueueFullWait, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(patience.Token, cancellationToken);
        try
        {
            await _queue.Writer.WriteAsync(work, linked.Token);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref _dropped);
            LogDropped(_queue.Reader.Count, _options.WriteQueueFullWait, _problem ?? "the disk is slower than the records arrive");
            return false;
        }
        catch (ChannelClosedException)
        {
            return false;
        }
    }

    private void Run()
    {
        var group = new List<Work>(_options.MaxGroupRecords);
        var writes = new List<Action<SqliteTransaction>>(_options.MaxGroupRecords);
        var reader = _queue.Reader;
        try
        {
            while (reader.WaitToReadAsync(_stopping.Token).AsTask().GetAwaiter().GetResult())
            {
                group.Clear();
                writes.Clear();
                while (group.Count < _options.MaxGroupRecords && reader.TryRead(out var work))
                {
                    group.Add(work);
                    if (work.Write is { } write)
                    {
                        writes.Add(write);
                    }
                }
                Commit(writes);
                Interlocked.Add(ref _committed, writes.Count);
                Interlocked.Increment(ref _groups);
                FoldOldSamples(reader);
                foreach (var work in group)
                {
                    AfterCommit(work);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            // Whatever is still queued was never committed: flushes waiting on it learn so.
            while (reader.TryRead(out var left))
            {
                left.Flushed?.TrySetCanceled();
            }
            _stopped.Set();
        }
    }

    /// <summary>Commits the group; a failing disk is retried with the same group until it takes it or the writer stops.</summary>
    private void Commit(List<Action<SqliteTransaction>> writes)
    {
        if (writes.Count == 0)
        {
            return;
        }
        var delay = FirstRetry;
        while (true)
        {
            try
            {
                _store.WriteGroup(writes, OnRecordFailed);
                SetProblem(null);
                return;
            }
            catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
            {
                SetProblem($"the store cannot write ({ex.Message}); {writes.Count + _queue.Reader.Count} records wait");
                LogCommitFailed(ex, delay);
                if (_stopping.Token.WaitHandle.WaitOne(delay))
                {
                    throw new OperationCanceledException(_stopping.Token);
                }
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LastRetry.Ticks));
            }
        }
    }

    /// <summary>
    /// A store from before sample chunks is folded into chunks a few at a time, only while nothing waits in the queue
    /// (the records always come first); once nothing is left this costs a field read.
    /// </summary>
    private void FoldOldSamples(ChannelReader<Work> reader)
    {
        if (_oldSamplesFolded || reader.Count > 0)
        {
            return;
        }
        try
        {
            _oldSamplesFolded = _store.FoldOldSamples(OldSampleChunksPerGroup) == 0;
        }
        catch (Exception ex) when (ex is SqliteException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            // The old rows stay readable as they are; try again after the next group.
            LogFoldFailed(ex);
        }
    }

    private const int OldSampleChunksPerGroup = 8;
    private bool _oldSamplesFolded;

    private void AfterCommit(Work work)
    {
        try
        {
            work.AfterCommit?.Invoke();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A derived view (the cycle history) failing must not stop the records behind it.
            LogAfterCommitFailed(ex);
        }
        work.Flushed?.TrySetResult();
    }

    private void OnRecordFailed(Exception ex) => LogRecordFailed(ex);

    private void SetProblem(string? problem)
    {
        if (problem == _problem)
        {
            return;
        }
        var was = _problem;
        _problem = problem;
        if (problem is null)
        {
            LogRecovered(was ?? "");
        }
        ProblemChanged?.Invoke(problem);
    }

    /// <summary>Stops taking records, commits what is queued (bounded by <paramref name="patience"/>), and ends the thread.</summary>
    public bool Complete(TimeSpan patience)
    {
        _queue.Writer.TryComplete();
        if (_stopped.Wait(patience))
        {
            return true;
        }
        _stopping.Cancel();
        return _stopped.Wait(patience);
    }

    public void Dispose()
    {
        Complete(TimeSpan.FromSeconds(10));
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private sealed record Work(Action<SqliteTransaction>? Write, Action? AfterCommit, TaskCompletionSource? Flushed);

    [LoggerMessage(Level = LogLevel.Error, Message = "Store commit failed; the group is kept and retried in {Delay}")]
    private partial void LogCommitFailed(Exception ex, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Folding old sample rows into chunks failed; they stay readable as rows, retried after the next group")]
    private partial void LogFoldFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Information, Message = "Store writes again (was: {Problem})")]
    private partial void LogRecovered(string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "A record was refused by the store and skipped; the rest of its group is committed")]
    private partial void LogRecordFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Error, Message = "Work after a store commit failed (a derived view, not a record)")]
    private partial void LogAfterCommitFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Error, Message = "Store queue full ({Count} records) for {Wait}: a record was dropped. Cause: {Problem}")]
    private partial void LogDropped(int count, TimeSpan wait, string problem);
}
