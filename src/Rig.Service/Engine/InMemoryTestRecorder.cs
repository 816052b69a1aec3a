using Rig.Service.Recording;

namespace Rig.Service.Engine;

/// <summary>
/// The default <see cref="ITestRecorder"/> until the durable store replaces it (registered with TryAdd): keeps
/// every start, cycle and end record, and the most recent samples only (bounded, so weeks of 1 s samples
/// cannot exhaust memory). Thread-safe.
/// </summary>
public sealed class InMemoryTestRecorder : ITestRecorder
{
    public const int RecentSampleCapacity = 10_000;
    private readonly Lock _lock = new();
    private readonly Queue<TestSampleRecord> _samples = new();
    private readonly List<TestStartRecord> _starts = [];
    private readonly List<CycleSummary> _cycles = [];
    private readonly List<TestEndRecord> _ends = [];

    public IReadOnlyList<TestStartRecord> Starts { get { lock (_lock) { return [.. _starts]; } } }

    public IReadOnlyList<CycleSummary> Cycles { get { lock (_lock) { return [.. _cycles]; } } }

    public IReadOnlyList<TestEndRecord> Ends { get { lock (_lock) { return [.. _ends]; } } }

    public IReadOnlyList<TestSampleRecord> RecentSamples { get { lock (_lock) { return [.. _samples]; } } }

    public ValueTask TestStartedAsync(TestStartRecord start, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _starts.Add(start);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask SampleAsync(TestSampleRecord sample, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _samples.Enqueue(sample);
            while (_samples.Count > RecentSampleCapacity)
            {
                _samples.Dequeue();
            }
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask CycleClosedAsync(CycleSummary summary, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _cycles.Add(summary);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask TestEndedAsync(TestEndRecord end, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _ends.Add(end);
        }
        return ValueTask.CompletedTask;
    }
}
