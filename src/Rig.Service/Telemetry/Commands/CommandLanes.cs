namespace Rig.Service.Telemetry.Commands;

/// <summary>
/// Runs commands side by side without losing their order where it matters. Each command names the resources it
/// touches (<see cref="CommandResources"/>: a channel, a heater zone and its channels, a test, a file); it starts only
/// after every earlier command on any of those resources has finished, so two commands for the same channel or
/// clamp never run at once and run in arrival order, while a command for another resource goes ahead. At most
/// <see cref="MaxInFlight"/> commands are dispatched and unfinished at a time (the caller's loop waits for a slot, so
/// the intake queue fills behind it and answers "busy"), and at most <see cref="MaxHeavy"/> heavy ones (an export, an
/// analysis: disk and CPU the control loops also need) run at once. Thread-safe; <see cref="DispatchAsync"/> is
/// called from one loop (arrival order is the order of calls).
/// </summary>
public sealed class CommandLanes
{
    /// <summary>Commands dispatched and not finished, per lane (running or waiting for their resources).</summary>
    public const int MaxInFlight = 16;

    /// <summary>Heavy commands running at once.</summary>
    public const int MaxHeavy = 2;

    private readonly Dictionary<string, Task> _tails = new(StringComparer.Ordinal);
    private readonly HashSet<Task> _running = [];
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _slots;
    private readonly SemaphoreSlim _heavy = new(MaxHeavy, MaxHeavy);

    public CommandLanes(int maxInFlight = MaxInFlight)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        _slots = new SemaphoreSlim(maxInFlight, maxInFlight);
    }

    /// <summary>Commands dispatched and not finished.</summary>
    public int InFlight
    {
        get
        {
            lock (_lock)
            {
                return _running.Count;
            }
        }
    }

    /// <summary>
    /// Waits for a free slot, then queues <paramref name="work"/> behind the earlier commands on its
    /// <paramref name="resources"/> and returns without waiting for it to run. <paramref name="work"/> handles its own
    /// failures (it is a command with its reply); an exception escaping it is passed to <paramref name="escaped"/>.
    /// </summary>
    public async Task DispatchAsync(IReadOnlyCollection<string> resources, bool heavy, Func<Task> work, Action<Exception> escaped, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resources);
        await _slots.WaitAsync(cancellationToken);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task[] before;
        lock (_lock)
        {
            before = [.. resources.Select(r => _tails.GetValueOrDefault(r)).OfType<Task>().Distinct()];
            foreach (var resource in resources)
            {
                _tails[resource] = done.Task;
            }
            _running.Add(done.Task);
        }
        // Off the dispatching loop: a command's synchronous part (a store query) must not hold the next one.
        _ = Task.Run(() => RunAsync(before, resources, heavy, work, escaped, done, cancellationToken), CancellationToken.None);
    }

    /// <summary>Completes when every command dispatched so far has finished.</summary>
    public Task WhenIdleAsync()
    {
        lock (_lock)
        {
            return Task.WhenAll([.. _running]);
        }
    }

    private async Task RunAsync(Task[] before, IReadOnlyCollection<string> resources, bool heavy, Func<Task> work, Action<Exception> escaped,
        TaskCompletionSource done, CancellationToken cancellationToken)
    {
        try
        {
            // Earlier commands' tasks never fault (their finally below completes them), so this only waits.
            await Task.WhenAll(before);
            if (heavy)
            {
                await _heavy.WaitAsync(cancellationToken);
            }
            try
            {
                await work();
            }
            finally
            {
                if (heavy)
                {
                    _heavy.Release();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            escaped(ex);
        }
        finally
        {
            lock (_lock)
            {
                foreach (var resource in resources)
                {
                    if (_tails.GetValueOrDefault(resource) == done.Task)
                    {
                        _tails.Remove(resource); // the lane is empty: nothing to keep for it
                    }
                }
                _running.Remove(done.Task);
            }
            done.SetResult();
            _slots.Release();
        }
    }
}
