using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Rig.Bench;

/// <summary>
/// A slow SD card, simulated in the store itself: every commit on the store's connection first sleeps a random
/// 50-200 ms (SQLite's commit hook runs on the committing thread just before the commit, where the fsync happens).
/// Whoever commits — the channel loop or a writer thread — pays for it, exactly as with a card whose fsync stalls.
/// </summary>
internal sealed class SlowCommits
{
    private readonly Random _random = new(19);
    private readonly TimeSpan _min;
    private readonly TimeSpan _max;
    private readonly delegate_commit _hook;
    private long _commits;

    private SlowCommits(TimeSpan min, TimeSpan max)
    {
        _min = min;
        _max = max;
        _hook = _ =>
        {
            Interlocked.Increment(ref _commits);
            int ms;
            lock (_random)
            {
                ms = _random.Next((int)_min.TotalMilliseconds, (int)_max.TotalMilliseconds + 1);
            }
            Thread.Sleep(ms);
            return 0;
        };
    }

    /// <summary>Commits so far (each paid its stall).</summary>
    public long Commits => Interlocked.Read(ref _commits);

    public static SlowCommits Attach(SqliteConnection connection, TimeSpan min, TimeSpan max)
    {
        var slow = new SlowCommits(min, max);
        raw.sqlite3_commit_hook(connection.Handle, slow._hook, null);
        return slow;
    }
}
