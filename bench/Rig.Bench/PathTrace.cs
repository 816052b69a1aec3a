using System.Diagnostics.Tracing;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using Rig.Service.Store;
using SQLitePCL;

namespace Rig.Bench;

/// <summary>
/// Where a slow sample waited (datapath-trace): every outbox row the store writer inserts is followed through its
/// group's commit (SQLite's update and commit hooks on the write connection; the store's OutboxAppended after the
/// commit), the WAL's checkpoint progress read from the -shm header at each commit's end (nBackfill moves only when a
/// checkpoint ran), the bench process's GC pauses (runtime events), and its arrival at mosquitto_sub. For the worst
/// samples it prints each stage: sample → commit start (queue, inserts), the commit (WAL write, fsync, a checkpoint if
/// one ran in it), commit end → arrival (publisher wake, page read, MQTT, broker, subscriber).
/// </summary>
internal sealed class PathTrace : IDisposable
{
    private readonly string _shmPath;
    private readonly delegate_update _update;
    private readonly delegate_commit _commit;
    private readonly RigStore _store;
    private readonly List<long> _inserted = [];
    private readonly List<Commit> _commits = [];
    private readonly Dictionary<long, int> _commitOfRow = [];
    private readonly GcListener _gc = new();
    private Commit? _open;

    private sealed record Commit(DateTimeOffset Start, long FirstRow, long LastRow, uint FramesBefore, uint BackfillBefore)
    {
        public DateTimeOffset End { get; set; }
        public uint FramesAfter { get; set; }
        public uint BackfillAfter { get; set; }
        public bool Checkpointed => BackfillAfter != BackfillBefore && BackfillAfter != 0;
    }

    private PathTrace(RigStore store)
    {
        _store = store;
        _shmPath = store.Path + "-shm";
        _update = (_, op, _, table, rowid) =>
        {
            if (op == raw.SQLITE_INSERT && table.utf8_to_string() == "outbox")
            {
                _inserted.Add(rowid);
            }
        };
        _commit = _ =>
        {
            if (_inserted.Count > 0)
            {
                var (frames, backfill) = WalIndex();
                _open = new Commit(DateTimeOffset.UtcNow, _inserted[0], _inserted[^1], frames, backfill);
                _inserted.Clear();
            }
            return 0;
        };
        raw.sqlite3_update_hook(store.WriteConnection.Handle, _update, null);
        raw.sqlite3_commit_hook(store.WriteConnection.Handle, _commit, null);
        store.OutboxAppended += Committed;
    }

    public static PathTrace Attach(RigStore store) => new(store);

    private void Committed()
    {
        if (_open is { } commit)
        {
            commit.End = DateTimeOffset.UtcNow;
            (commit.FramesAfter, commit.BackfillAfter) = WalIndex();
            lock (_commits)
            {
                _commits.Add(commit);
                for (var row = commit.FirstRow; row <= commit.LastRow; row++)
                {
                    _commitOfRow[row] = _commits.Count - 1;
                }
            }
            _open = null;
        }
    }

    /// <summary>The WAL index header: mxFrame (frames in the WAL) at byte 16, the checkpoint's nBackfill at byte 96.</summary>
    private (uint Frames, uint Backfill) WalIndex()
    {
        try
        {
            using var shm = new FileStream(_shmPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            Span<byte> header = stackalloc byte[100];
            shm.ReadExactly(header);
            return (MemoryMarshal.Read<uint>(header[16..]), MemoryMarshal.Read<uint>(header[96..]));
        }
        catch (IOException)
        {
            return (0, 0);
        }
    }

    /// <summary>The worst <paramref name="worst"/> arrivals by latency, stage by stage, and what the commits did.</summary>
    public void Print(IReadOnlyList<MosquittoSubscriber.Arrival> arrivals, int worst = 8)
    {
        _store.OutboxAppended -= Committed;
        var rows = new Dictionary<(string Stream, long Seq), long>();
        using (var db = new SqliteConnection($"Data Source={_store.Path};Pooling=False;Mode=ReadOnly"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "SELECT id, stream, seq FROM outbox";
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                rows[(reader.GetString(1), reader.GetInt64(2))] = reader.GetInt64(0);
            }
        }
        List<Commit> commits;
        lock (_commits)
        {
            commits = [.. _commits];
        }
        var durations = commits.Select(c => (c.End - c.Start).TotalMilliseconds).Order().ToArray();
        var checkpoints = commits.Where(c => c.Checkpointed).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"trace: {commits.Count} group commits with telemetry, commit (WAL write + fsync) median {P(durations, 0.5):0.0} ms, p99 {P(durations, 0.99):0.0} ms, max {durations.LastOrDefault():0.0} ms; " +
            $"{checkpoints.Count} ran a WAL checkpoint inside the commit ({string.Join(", ", checkpoints.Select(c => $"{(c.End - c.Start).TotalMilliseconds:0.0} ms"))}); GC pauses {_gc.Describe()}"));
        foreach (var a in arrivals.OrderByDescending(a => a.LatencyMs).Take(worst))
        {
            var stream = a.Topic.Split('/')[^2] + "/telemetry";
            var text = string.Create(CultureInfo.InvariantCulture, $"  {a.LatencyMs:0.0} ms {stream} seq {a.Seq}: ");
            if (rows.TryGetValue((stream, a.Seq), out var row) && _commitOfRow.TryGetValue(row, out var index))
            {
                var c = commits[index];
                var sampled = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(a.SampleTime * 1000));
                var arrived = DateTimeOffset.FromUnixTimeMilliseconds(0).AddTicks((long)(a.ArrivalTime * TimeSpan.TicksPerSecond));
                text += string.Create(CultureInfo.InvariantCulture,
                    $"sample -> commit start {(c.Start - sampled).TotalMilliseconds:0.0}, commit {(c.End - c.Start).TotalMilliseconds:0.0} (WAL frames {c.FramesBefore} -> {c.FramesAfter}, backfill {c.BackfillBefore} -> {c.BackfillAfter}{(c.Checkpointed ? ", CHECKPOINT" : "")}), " +
                    $"commit end -> arrival {(arrived - c.End).TotalMilliseconds:0.0} ms{_gc.During(sampled, arrived)}");
            }
            else
            {
                text += "(its commit was not traced)";
            }
            Console.WriteLine(text);
        }
    }

    private static double P(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    public void Dispose()
    {
        _store.OutboxAppended -= Committed;
        _gc.Dispose();
    }

    /// <summary>The runtime's GC start/end events in this process (EventListener), as wall-clock intervals.</summary>
    private sealed class GcListener : EventListener
    {
        private readonly List<(DateTimeOffset Start, DateTimeOffset End, int Generation)> _pauses = [];
        private DateTimeOffset? _start;
        private int _generation;

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Informational, (EventKeywords)0x1);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventName == "GCSuspendEEBegin_V1")
            {
                _start = e.TimeStamp;
            }
            else if (e.EventName == "GCStart_V2" && e.Payload is { Count: > 1 } payload)
            {
                _generation = Convert.ToInt32(payload[1], CultureInfo.InvariantCulture);
            }
            else if (e.EventName == "GCRestartEEEnd_V1" && _start is { } start)
            {
                lock (_pauses)
                {
                    _pauses.Add((start, e.TimeStamp, _generation));
                }
                _start = null;
            }
        }

        public string Describe()
        {
            lock (_pauses)
            {
                var ms = _pauses.Select(p => (p.End - p.Start).TotalMilliseconds).Order().ToArray();
                return string.Create(CultureInfo.InvariantCulture, $"{ms.Length} in all, longest {ms.LastOrDefault():0.0} ms, gen2 {_pauses.Count(p => p.Generation == 2)}");
            }
        }

        public string During(DateTimeOffset from, DateTimeOffset to)
        {
            lock (_pauses)
            {
                var hits = _pauses.Where(p => p.End > from && p.Start < to).ToList();
                return hits.Count == 0 ? "" : string.Create(CultureInfo.InvariantCulture,
                    $"; GC meanwhile: {string.Join(", ", hits.Select(h => $"gen{h.Generation} {(h.End - h.Start).TotalMilliseconds:0.0} ms"))}");
            }
        }
    }
}
