using Rig.Service.Recording;

namespace Rig.Service.Engine;

/// <summary>
/// The journal when the recorder cannot keep checkpoints itself (the in-memory recorder): records to the recorder
/// first, then the checkpoint to its file, so the checkpoint is never ahead of what was recorded.
/// </summary>
public sealed class RecorderJournal : IEngineJournal
{
    private readonly ITestRecorder _recorder;
    private readonly CheckpointStore _checkpoints;

    public RecorderJournal(ITestRecorder recorder, CheckpointStore checkpoints)
    {
        _recorder = recorder ?? throw new ArgumentNullException(nameof(recorder));
        _checkpoints = checkpoints ?? throw new ArgumentNullException(nameof(checkpoints));
    }

    public async ValueTask CommitAsync(IReadOnlyList<EngineRecord> records, EngineCheckpoint? checkpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        foreach (var record in records)
        {
            if (record.Start is { } start) { await _recorder.TestStartedAsync(start, cancellationToken); }
            else if (record.Sample is { } sample) { await _recorder.SampleAsync(sample, cancellationToken); }
            else if (record.Cycle is { } cycle) { await _recorder.CycleClosedAsync(cycle, cancellationToken); }
            else if (record.End is { } end) { await _recorder.TestEndedAsync(end, cancellationToken); }
        }
        if (checkpoint is not null)
        {
            _checkpoints.Save(checkpoint);
        }
    }

    /// <summary>Empty: the host reads the files itself (<see cref="CheckpointStore.LoadFiles"/>), to move a bad one aside.</summary>
    public IReadOnlyList<EngineCheckpoint> LoadCheckpoints() => [];

    public string Reject(EngineCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        return _checkpoints.Reject(_checkpoints.PathFor(checkpoint.ChannelId));
    }
}
