using Microsoft.Data.Sqlite;
using Rig.Service.Recording;

namespace Rig.Service.Store;

/// <summary>Engine checkpoints: written inside the write that stores the records they cover.</summary>
public sealed partial class RigStore
{
    /// <summary>Every stored engine checkpoint (channel, test, JSON).</summary>
    public IReadOnlyList<EngineCheckpoint> ReadCheckpoints() =>
        Query("SELECT channel_id, test_id, unix_ms, state_json FROM checkpoints ORDER BY channel_id",
            r => new EngineCheckpoint(r.GetString(0), r.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)), r.GetString(3)));

    /// <summary>Moves a channel's checkpoint to rejected_checkpoints (kept for a post-mortem, never resumed).</summary>
    internal int RejectCheckpoint(SqliteTransaction tx, string channelId) =>
        Run(tx, "INSERT INTO rejected_checkpoints(channel_id, test_id, unix_ms, state_json) SELECT channel_id, test_id, unix_ms, state_json FROM checkpoints WHERE channel_id = $ch; DELETE FROM checkpoints WHERE channel_id = $ch",
            ("$ch", channelId));

    internal int SaveCheckpoint(SqliteTransaction tx, EngineCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        return Run(tx, "INSERT OR REPLACE INTO checkpoints(channel_id, test_id, unix_ms, state_json) VALUES($ch, $id, $t, $json)",
            ("$ch", checkpoint.ChannelId), ("$id", checkpoint.TestId), ("$t", checkpoint.At.ToUnixTimeMilliseconds()), ("$json", checkpoint.Json));
    }
}
