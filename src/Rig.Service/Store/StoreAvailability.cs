using Microsoft.Data.Sqlite;
using Rig.Service.Channels;
using Rig.Service.Interlocks;

namespace Rig.Service.Store;

/// <summary>
/// Whether what the rig must write can be written: the SQLite store (<see cref="Database"/>) and the engine's
/// checkpoints (<see cref="Checkpoints"/>). A write that fails because the disk is full, read-only or failing raises
/// a rig-wide <see cref="InterlockKind.StoreUnavailable"/> interlock naming the part (no cycling goes unrecorded:
/// the channels' outputs go off and the tests pause); the next write of that part that succeeds clears it, recorded.
/// Heater control and safety do not depend on it. Thread-safe.
/// </summary>
public sealed class StoreAvailability
{
    public const string Database = "store";
    public const string Checkpoints = "checkpoints";

    // SQLite primary result codes that mean "the file cannot take this write" rather than a bug in the statement.
    private const int SqliteReadOnly = 8;
    private const int SqliteIoError = 10;
    private const int SqliteCorrupt = 11;
    private const int SqliteFull = 13;
    private const int SqliteCantOpen = 14;
    private const int SqliteNotADatabase = 26;

    private readonly RigState _state;
    private readonly TimeProvider _time;

    public StoreAvailability(RigState state, TimeProvider time)
    {
        _state = state;
        _time = time;
    }

    /// <summary>True for the failures that mean the storage is unavailable (full, read-only, I/O), not a programming error.</summary>
    public static bool IsUnavailable(Exception ex) => ex switch
    {
        SqliteException sqlite => (sqlite.SqliteErrorCode & 0xFF) is SqliteReadOnly or SqliteIoError or SqliteCorrupt or SqliteFull or SqliteCantOpen or SqliteNotADatabase,
        IOException or UnauthorizedAccessException => true,
        _ => false,
    };

    /// <summary>True while any part is unavailable.</summary>
    public bool IsDown => _state.Interlocks.InScope(InterlockBoard.RigWide).Any(i => i.Kind == InterlockKind.StoreUnavailable);

    /// <summary>A write to <paramref name="part"/> failed: if the storage is the cause, every channel is held until it works again.</summary>
    public void Failed(string part, Exception ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        if (!IsUnavailable(ex))
        {
            return;
        }
        _state.Interlocks.Raise(InterlockBoard.RigWide, new Interlock(InterlockKind.StoreUnavailable, part, _time.GetUtcNow(),
            $"{part} cannot be written ({ex.GetType().Name}: {ex.Message}); no test may cycle unrecorded"));
    }

    /// <summary>The store writer reports that its commits fail (it retries by itself): every channel is held.</summary>
    public void Failed(string part, string problem) =>
        _state.Interlocks.Raise(InterlockBoard.RigWide, new Interlock(InterlockKind.StoreUnavailable, part, _time.GetUtcNow(),
            $"{problem}; no test may cycle unrecorded"));

    /// <summary>A write to <paramref name="part"/> succeeded: its interlock, if any, clears.</summary>
    public void Succeeded(string part) =>
        _state.Interlocks.Clear(InterlockBoard.RigWide, InterlockKind.StoreUnavailable, part, _time.GetUtcNow(), $"a successful write to the {part}");
}
