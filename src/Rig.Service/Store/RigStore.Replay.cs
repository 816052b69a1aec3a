namespace Rig.Service.Store;

/// <summary>What a replay request found in the outbox.</summary>
public readonly record struct ReplayResult(int Requeued, long? FirstHeld, long? LastHeld);

public sealed partial class RigStore
{
    /// <summary>
    /// Counts the replays that put rows older than the newest back in the queue: a publisher reading after the last
    /// row it sent starts again at the first unsent row when this changes.
    /// </summary>
    public long OutboxRewinds => Interlocked.Read(ref _outboxRewinds);

    private long _outboxRewinds;

    /// <summary>
    /// Puts the outbox rows of <paramref name="stream"/> with seq in [<paramref name="fromSeq"/>, <paramref name="toSeq"/>]
    /// back in the queue (their sent mark cleared), so the publisher sends them again with their original seq and
    /// timestamps, ahead of newer rows (the outbox is read by id). Only rows still in the outbox can come back: sent
    /// rows are pruned after Store:SentOutboxRetention. Rows not yet sent are left as they are. A replayed row goes out
    /// without the retain flag: an old spectrum sent again for the archive must not replace the broker's retained latest.
    /// </summary>
    public ReplayResult RequeueForReplay(string stream, long fromSeq, long toSeq)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stream);
        var result = Write(tx =>
        {
            using var held = _db.CreateCommand();
            held.Transaction = tx;
            held.CommandText = "SELECT min(seq), max(seq) FROM outbox WHERE stream = $stream AND seq BETWEEN $from AND $to";
            held.Parameters.AddWithValue("$stream", stream);
            held.Parameters.AddWithValue("$from", fromSeq);
            held.Parameters.AddWithValue("$to", toSeq);
            long? first = null, last = null;
            using (var reader = held.ExecuteReader())
            {
                if (reader.Read() && !reader.IsDBNull(0))
                {
                    first = reader.GetInt64(0);
                    last = reader.GetInt64(1);
                }
            }
            using var requeue = _db.CreateCommand();
            requeue.Transaction = tx;
            requeue.CommandText = "UPDATE outbox SET sent_unix_ms = NULL, retain = 0 WHERE stream = $stream AND seq BETWEEN $from AND $to AND sent_unix_ms IS NOT NULL";
            requeue.Parameters.AddWithValue("$stream", stream);
            requeue.Parameters.AddWithValue("$from", fromSeq);
            requeue.Parameters.AddWithValue("$to", toSeq);
            var count = requeue.ExecuteNonQuery();
            if (count > 0)
            {
                _outboxAppends++;
            }
            return new ReplayResult(count, first, last);
        });
        if (result.Requeued > 0)
        {
            // After the commit, so a publisher that sees the new count also sees the rows (OutboxPublisher rewinds).
            Interlocked.Increment(ref _outboxRewinds);
        }
        return result;
    }
}
