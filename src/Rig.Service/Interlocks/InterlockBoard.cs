namespace Rig.Service.Interlocks;

/// <summary>
/// Every active interlock, per channel and rig-wide (e-stop, all-off, store). A channel is held by its own set and the
/// rig-wide one. Written by whoever watches the condition (loops, supervisors, the e-stop monitor, the store), read by
/// the channel loops, the engine, the heater zones and telemetry. Each change is announced once through
/// <see cref="Changed"/> (raised: alarm; cleared: recorded with who cleared it). Thread-safe.
/// </summary>
public sealed class InterlockBoard
{
    /// <summary>The scope of interlocks that hold every channel.</summary>
    public const string RigWide = "rig";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<Interlock>> _byScope = new(StringComparer.Ordinal);
    private long _version;

    /// <summary>Raised after a change, outside the lock, on the changer's thread. Handlers must not block.</summary>
    public event Action<InterlockChange>? Changed;

    /// <summary>Grows by one at every change: a loop compares it before and after its observers ran.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Adds an interlock to <paramref name="scope"/> (a channel id or <see cref="RigWide"/>); false if one of the same kind and source is already active.</summary>
    public bool Raise(string scope, Interlock interlock)
    {
        ArgumentNullException.ThrowIfNull(interlock);
        lock (_lock)
        {
            if (!_byScope.TryGetValue(scope, out var list))
            {
                _byScope[scope] = list = [];
            }
            if (list.Any(i => i.Kind == interlock.Kind && i.Source == interlock.Source))
            {
                return false;
            }
            list.Add(interlock);
            _version++;
        }
        Changed?.Invoke(new InterlockChange(scope, interlock, Raised: true, interlock.Since, null));
        return true;
    }

    /// <summary>Removes the interlocks of <paramref name="scope"/> that <paramref name="match"/>; each removal is announced with <paramref name="clearedBy"/>.</summary>
    public IReadOnlyList<Interlock> Clear(string scope, Func<Interlock, bool> match, DateTimeOffset at, string clearedBy)
    {
        ArgumentNullException.ThrowIfNull(match);
        List<Interlock> removed;
        lock (_lock)
        {
            if (!_byScope.TryGetValue(scope, out var list))
            {
                return [];
            }
            removed = [.. list.Where(match)];
            if (removed.Count == 0)
            {
                return [];
            }
            list.RemoveAll(i => removed.Contains(i));
            _version++;
        }
        foreach (var interlock in removed)
        {
            Changed?.Invoke(new InterlockChange(scope, interlock, Raised: false, at, clearedBy));
        }
        return removed;
    }

    /// <summary>Removes one kind from one source (a condition that reads good again).</summary>
    public IReadOnlyList<Interlock> Clear(string scope, InterlockKind kind, string source, DateTimeOffset at, string clearedBy) =>
        Clear(scope, i => i.Kind == kind && i.Source == source, at, clearedBy);

    /// <summary>What holds <paramref name="channelId"/> now: its own interlocks and the rig-wide ones, oldest first.</summary>
    public IReadOnlyList<Interlock> Active(string channelId)
    {
        lock (_lock)
        {
            IEnumerable<Interlock> own = _byScope.TryGetValue(channelId, out var list) ? list : [];
            IEnumerable<Interlock> rig = channelId != RigWide && _byScope.TryGetValue(RigWide, out var wide) ? wide : [];
            return [.. rig.Concat(own).OrderBy(i => i.Since)];
        }
    }

    /// <summary>The interlocks held in one scope only (not the rig-wide ones for a channel).</summary>
    public IReadOnlyList<Interlock> InScope(string scope)
    {
        lock (_lock)
        {
            return _byScope.TryGetValue(scope, out var list) ? [.. list] : [];
        }
    }

    /// <summary>True while a rig-wide interlock holds the heaters off (e-stop, all-off).</summary>
    public bool HoldsHeaters
    {
        get
        {
            lock (_lock)
            {
                return _byScope.TryGetValue(RigWide, out var list) && list.Any(i => InterlockRules.HoldsHeaters(i.Kind));
            }
        }
    }

    /// <summary>"held by: a; b" for a reply that refuses a start or a resume, listing every reason.</summary>
    public static string Describe(IReadOnlyList<Interlock> interlocks) =>
        string.Join("; ", interlocks.Select(i => i.ToString()));
}

/// <summary>One interlock raised or cleared in a scope (a channel id or "rig").</summary>
public sealed record InterlockChange(string Scope, Interlock Interlock, bool Raised, DateTimeOffset At, string? ClearedBy);
