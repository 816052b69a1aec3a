namespace Rig.Service.Recording;

/// <summary>
/// Where the cycling engine sends what a test produces, in order, on the channel's loop. The store implements
/// it (SQLite, durable before it returns); tests may use an in-memory one. Downstream of the engine: the
/// engine never reads back from it, except <see cref="TestStartRecord"/> on resume.
/// </summary>
public interface ITestRecorder
{
    ValueTask TestStartedAsync(TestStartRecord start, CancellationToken cancellationToken);

    /// <summary>A sample the recording policy chose to keep (every N s, on ΔV/ΔI, always at step ends).</summary>
    ValueTask SampleAsync(TestSampleRecord sample, CancellationToken cancellationToken);

    ValueTask CycleClosedAsync(CycleSummary summary, CancellationToken cancellationToken);

    ValueTask TestEndedAsync(TestEndRecord end, CancellationToken cancellationToken);

    /// <summary>
    /// After a write failed for want of storage: one small real write that proves the storage takes writes again.
    /// Throws as a real write would when it still cannot. Recorders with nothing durable behind them succeed.
    /// </summary>
    ValueTask ProbeWritableAsync(DateTimeOffset at, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
