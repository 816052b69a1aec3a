using Rig.Service.Recording;

namespace Rig.Service.Engine;

/// <summary>
/// Where the engine host keeps what a test produced and where the test stands, together: each commit stores the
/// records of one engine call and the checkpoint after them atomically, so after a crash the checkpoint is never
/// ahead of (or behind) the stored data. Called for one channel at a time, in order.
/// </summary>
public interface IEngineJournal
{
    /// <summary>Stores <paramref name="records"/> (no events) and, if given, <paramref name="checkpoint"/>, all or nothing.</summary>
    ValueTask CommitAsync(IReadOnlyList<EngineRecord> records, EngineCheckpoint? checkpoint, CancellationToken cancellationToken);

    /// <summary>The latest checkpoint of every channel that has one.</summary>
    IReadOnlyList<EngineCheckpoint> LoadCheckpoints();

    /// <summary>Moves a checkpoint that cannot be resumed aside (kept for a post-mortem, never met again at start); says where.</summary>
    string Reject(EngineCheckpoint checkpoint);
}
