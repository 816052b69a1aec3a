using Rig.Service.Store;
using SQLitePCL;

namespace Rig.Service.Tests.Store;

/// <summary>
/// Holds or fails the commits of a store's write connection (SQLite's commit hook runs on the committing thread just
/// before the commit): a disk whose fsync never returns while closed, or a disk that refuses the commit.
/// </summary>
internal sealed class CommitGate : IDisposable
{
    private readonly ManualResetEventSlim _open = new(true);
    private readonly delegate_commit _hook;
    private readonly RigStore _store;
    private volatile int _failNext;
    private volatile bool _failAlways;
    private int _waiting;

    public CommitGate(RigStore store)
    {
        _store = store;
        _hook = _ =>
        {
            if (_failAlways || (_failNext > 0 && Interlocked.Decrement(ref _failNext) >= 0))
            {
                return 1; // SQLite turns the commit into a rollback and reports SQLITE_CONSTRAINT_COMMITHOOK
            }
            Interlocked.Increment(ref _waiting);
            _open.Wait();
            Interlocked.Decrement(ref _waiting);
            return _failAlways ? 1 : 0;
        };
        raw.sqlite3_commit_hook(store.WriteConnection.Handle, _hook, null);
    }

    /// <summary>True while a commit is held at the gate.</summary>
    public bool Holding => Volatile.Read(ref _waiting) > 0;

    public void Close() => _open.Reset();

    public void Open() => _open.Set();

    /// <summary>The next <paramref name="count"/> commits fail.</summary>
    public void FailNext(int count) => _failNext = count;

    /// <summary>Every commit from now on fails, and a held one is released to fail: the process "died" before its commit.</summary>
    public void FailForever()
    {
        _failAlways = true;
        _open.Set();
    }

    /// <summary>Waits (bounded) until a commit is held at the gate.</summary>
    public void WaitUntilHolding()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!Holding)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("no commit reached the gate");
            }
            Thread.Sleep(5);
        }
    }

    public void Dispose()
    {
        _open.Set();
        _open.Dispose();
        GC.KeepAlive(_store);
    }
}
