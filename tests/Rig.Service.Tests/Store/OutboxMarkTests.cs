using System.Globalization;
using CsCheck;
using Microsoft.Data.Sqlite;
using Rig.Service.Store;

namespace Rig.Service.Tests.Store;

/// <summary>
/// The publisher's sent marks (one UPDATE per run of consecutive ids) and the compiled statements of the write path
/// (<see cref="PreparedSql"/>), on real SQLite files.
/// </summary>
public sealed class OutboxMarkTests : IDisposable
{
    private static readonly DateTimeOffset At = DateTimeOffset.Parse("2026-02-01T09:00:00Z", CultureInfo.InvariantCulture);
    private readonly string _directory = Directory.CreateTempSubdirectory("rig-outbox-mark-").FullName;

    public void Dispose() => Directory.Delete(_directory, true);

    private RigStore Store() => new(Path.Combine(_directory, "rig.db"));

    /// <summary>Queues <paramref name="count"/> event messages (outbox ids 1..count in a fresh store).</summary>
    private static List<long> Queue(RigStore store, int count)
    {
        for (var i = 0; i < count; i++)
        {
            store.AddEvent(new Rig.Service.Channels.RigEvent(At.AddSeconds(i), Rig.Service.Channels.RigEventSeverity.Info, "bench", "e", $"event {i}"),
                seq => System.Text.Encoding.UTF8.GetBytes($"{{\"seq\":{seq}}}"));
        }
        return [.. store.ReadUnsent(0, count + 10).Select(m => m.Id)];
    }

    [Fact]
    public void Marks_exactly_the_given_ids_when_they_have_gaps_so_a_row_between_two_runs_stays_unsent()
    {
        using var store = Store();
        var ids = Queue(store, 8);
        // A page that skipped the 3rd and 6th rows (sent before, then put back in the queue by a replay meanwhile).
        long[] page = [ids[0], ids[1], ids[3], ids[4], ids[6], ids[7]];

        store.MarkSent(page, At);

        Assert.Equal([ids[2], ids[5]], store.ReadUnsent(0, 100).Select(m => m.Id));
        Assert.Equal(2, store.CountUnsent());
    }

    [Fact]
    public void Marks_a_contiguous_page_and_leaves_the_rows_after_it_unsent()
    {
        using var store = Store();
        var ids = Queue(store, 10);

        store.MarkSent(ids.Take(6).Reverse().ToList(), At);

        Assert.Equal(ids.Skip(6), store.ReadUnsent(0, 100).Select(m => m.Id));
    }

    [Fact]
    public void Runs_cover_exactly_the_given_ids()
    {
        Gen.Long[1, 60].HashSet[0, 40].Sample(set =>
        {
            var runs = RigStore.Runs(set);
            var covered = runs.SelectMany(r => Enumerable.Range((int)r.First, (int)(r.Last - r.First + 1)).Select(i => (long)i)).ToList();
            Assert.Equal(set.Order(), covered);
            // Maximal runs: two runs never touch, so a page of consecutive ids is one UPDATE.
            Assert.All(runs.Zip(runs.Skip(1)), pair => Assert.True(pair.Second.First > pair.First.Last + 1));
        });
    }

    [Fact]
    public void Prepared_statements_bind_by_position_of_first_appearance_across_statements_and_run_again()
    {
        using var db = new SqliteConnection($"Data Source={Path.Combine(_directory, "p.db")};Pooling=False");
        db.Open();
        using (var create = db.CreateCommand())
        {
            create.CommandText = "CREATE TABLE a(x INTEGER, y TEXT, z REAL, b BLOB); CREATE TABLE c(y TEXT, x INTEGER);";
            create.ExecuteNonQuery();
        }
        using var insert = new PreparedSql(db, "INSERT INTO a VALUES($x, $y, $z, $b); INSERT INTO c VALUES($y, $x);");
        Assert.Equal(4, insert.ParameterCount);
        insert.Run(1L, "one", 1.5, new byte[] { 1, 2 });
        insert.Run(2, null, null, null);

        using var read = db.CreateCommand();
        read.CommandText = "SELECT group_concat(coalesce(x, '-') || ':' || coalesce(y, '-') || ':' || coalesce(z, '-') || ':' || iif(b IS NULL, '-', hex(b)), '|') FROM a";
        Assert.Equal("1:one:1.5:0102|2:-:-:-", read.ExecuteScalar());
        read.CommandText = "SELECT group_concat(coalesce(y, '-') || ':' || x, '|') FROM c";
        Assert.Equal("one:1|-:2", read.ExecuteScalar());
    }

    [Fact]
    public void A_failing_prepared_statement_throws_the_sqlite_error_and_runs_again_afterwards()
    {
        using var db = new SqliteConnection($"Data Source={Path.Combine(_directory, "p.db")};Pooling=False");
        db.Open();
        using (var create = db.CreateCommand())
        {
            create.CommandText = "CREATE TABLE u(k INTEGER PRIMARY KEY)";
            create.ExecuteNonQuery();
        }
        using var insert = new PreparedSql(db, "INSERT INTO u VALUES($k)");
        insert.Run(1L);

        var error = Assert.Throws<SqliteException>(() => insert.Run(1L));
        Assert.Equal(19, error.SqliteErrorCode); // SQLITE_CONSTRAINT: a bad record, not a storage failure
        Assert.False(RigStore.IsStorageFailure(error));
        Assert.Equal(1, insert.Run(2L));
        Assert.Throws<ArgumentException>(() => insert.Run());
    }
}
