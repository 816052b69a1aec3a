using System.Globalization;
using CsCheck;
using Microsoft.Data.Sqlite;
using Rig.Service.Channels;
using Rig.Service.Configuration;
using Rig.Service.Control;
using Rig.Service.Recording;
using Rig.Service.Store;
using Rig.Service.Store.Chunks;

namespace Rig.Service.Tests.Store;

/// <summary>The compact sample encoding: bit-exact round trips, the open tail, folding, old stores.</summary>
public sealed class SampleChunkTests : IDisposable
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-02-01T09:00:00Z", CultureInfo.InvariantCulture);
    private readonly string _directory = Directory.CreateTempSubdirectory("rig-chunks-").FullName;

    public void Dispose() => Directory.Delete(_directory, true);

    private string Db => Path.Combine(_directory, "rig.db");

    /// <summary>
    /// Doubles an instrument can report and the engine can compute: ±full scale of the SMU (±1.05 A, ±10 V), sub-µA
    /// currents, zero and minus zero, tiny and huge magnitudes, subnormals and infinities (the codec keeps any bits
    /// but NaN, which the recorder never passes), text-like decimals, and arbitrary bit patterns.
    /// </summary>
    private static readonly double[] Extremes = [1.05, -1.05, 10.0, -10.0, 0.0, -0.0, 1e-9, -1e-9, 3.2e-7, double.Epsilon, -double.Epsilon, double.MaxValue, double.MinValue,
            double.PositiveInfinity, double.NegativeInfinity, 2.2250738585072014E-308, 1e300, 1e-300];

    private static readonly Gen<double> Value = Gen.OneOf(
        Gen.Int[0, Extremes.Length - 1].Select(i => Extremes[i]),
        Gen.Double[-1.05, 1.05],
        Gen.Double[-1e-6, 1e-6],
        Gen.Double.Where(d => !double.IsNaN(d)),
        Gen.Long.Select(bits => BitConverter.Int64BitsToDouble(bits)).Where(d => !double.IsNaN(d)),
        Gen.Select(Gen.Long[-9_999_999, 9_999_999], Gen.Int[-12, 3]).Select((m, e) => double.Parse($"{m}E{e}", CultureInfo.InvariantCulture)));

    /// <summary>A run of samples: each column either drifting smoothly (as a real signal), repeating, or drawn at random.</summary>
    private static readonly Gen<List<(long, TestSampleRecord)>> Rows =
        Gen.Select(Gen.Int[1, 300], Gen.Long[0, 1L << 40], Gen.Long[-1L << 45, 1L << 45], Value.Array[11], Gen.Int[0, 2].Array[11], Gen.Int[0, 3])
            .SelectMany((n, firstIndex, firstMs, bases, styles, nulls) => Gen.Select(Value.Array[n * 11], Gen.Int[0, 1_000].Array[n], Gen.Bool.Array[n])
                .Select((noise, jitter, flags) => Build(n, firstIndex, firstMs, bases, styles, nulls, noise, jitter, flags)));

    private static List<(long, TestSampleRecord)> Build(int n, long firstIndex, long firstMs, double[] bases, int[] styles, int nulls, double[] noise, int[] jitter, bool[] flags)
    {
        var rows = new List<(long, TestSampleRecord)>(n);
        var ms = firstMs;
        var index = firstIndex;
        for (var i = 0; i < n; i++)
        {
            double Column(int c) => styles[c] switch
            {
                0 => bases[c],
                1 => bases[c] + (i * (Math.Abs(bases[c]) * 1e-6 + 1e-9)),
                _ => noise[(i * 11) + c],
            };
            double? Optional(int c) => nulls switch { 0 => null, 1 => Column(c), _ => flags[i] ? Column(c) : null };
            ms += 10_000 + jitter[i];
            index += flags[i] && i % 7 == 0 ? 2 : 1;
            rows.Add((index, new TestSampleRecord("t", "ch1", DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(ms, -62135596800000, 253402300799999)),
                Column(0), Column(1), i / 50, (i / 10) % 4, (i / 10 % 3) switch { 0 => "CC_CHG", 1 => "REST", _ => "CV" },
                Column(2), Column(3), Column(4), Column(5), Column(6), Optional(7), Optional(8), Optional(9), flags[i] && i % 5 == 0)));
        }
        return rows;
    }

    [Fact]
    public void Every_double_comes_back_bit_for_bit_and_every_other_field_exactly()
    {
        Rows.Sample(rows =>
        {
            var decoded = SampleChunk.Decode(SampleChunk.Encode(rows), "t", "ch1");
            Assert.Equal(rows.Count, decoded.Count);
            for (var i = 0; i < rows.Count; i++)
            {
                var (index, s) = rows[i];
                var (gotIndex, got) = decoded[i];
                Assert.Equal(index, gotIndex);
                Assert.Equal(s.Timestamp, got.Timestamp);
                Assert.Equal((s.Cycle, s.StepIndex, s.StepType, s.StepEnd), (got.Cycle, got.StepIndex, got.StepType, got.StepEnd));
                Assert.Equal(Bits(s), Bits(got));
            }
        }, iter: 300);
    }

    private static long?[] Bits(TestSampleRecord s) =>
        [.. new double?[] { s.TestTimeSeconds, s.StepTimeSeconds, s.VoltageVolts, s.CurrentAmperes, s.StepCapacityAmpHours, s.ChargeCapacityAmpHours,
            s.DischargeCapacityAmpHours, s.ForceNewtons, s.StackPressurePascals, s.TemperatureCelsius }
            .Select(d => d is { } v ? BitConverter.DoubleToInt64Bits(v) : (long?)null)];

    /// <summary>
    /// The fold encodes the tail rows it kept in memory instead of reading them back: what a reader gets from those
    /// chunks must be bit for bit what the rows themselves give (SQLite's own forms: whole milliseconds, -0 as 0, a NaN
    /// in a nullable column as null). The same samples go to a store that folds every 8 and to one that never folds.
    /// </summary>
    [Fact]
    public void Chunks_folded_from_the_rows_kept_in_memory_read_back_exactly_as_the_tail_rows_do()
    {
        Rows.Select(Gen.Int[0, 9_999].Array[300], Gen.Int[0, 9].Array[300]).Sample((rows, ticks, nans) =>
        {
            var samples = rows.Select((r, i) => r.Item2 with
            {
                TestId = "t1",
                Timestamp = r.Item2.Timestamp.AddTicks(ticks[i]),
                ForceNewtons = nans[i] == 0 ? double.NaN : r.Item2.ForceNewtons,
                TemperatureCelsius = nans[i] == 1 ? double.NaN : r.Item2.TemperatureCelsius,
            }).ToList();
            var run = Guid.NewGuid().ToString("N"); // CsCheck runs samples in parallel
            using var folding = new RigStore(Path.Combine(_directory, $"fold-{run}.db"), syncEveryCommit: false, chunkSamples: 8);
            using var rowsOnly = new RigStore(Path.Combine(_directory, $"rows-{run}.db"), syncEveryCommit: false, chunkSamples: 1_000);
            var refused = new List<int>[] { [], [] };
            foreach (var (store, s) in new[] { (folding, 0), (rowsOnly, 1) })
            {
                store.AddTest(StartRecord("t1"));
                for (var i = 0; i < samples.Count; i++)
                {
                    try
                    {
                        store.AddSample(samples[i], null);
                    }
                    catch (SqliteException)
                    {
                        // A NaN in a NOT NULL column (an infinite drift): refused by both, rolled back (the kept rows with it).
                        refused[s].Add(i);
                    }
                }
            }
            Assert.Equal(refused[1], refused[0]);
            var expected = rowsOnly.ReadSamples("t1", "ch1", 0, 1_000);
            var got = folding.ReadSamples("t1", "ch1", 0, 1_000);
            Assert.Equal(expected.Select(e => e.RecordIndex), got.Select(g => g.RecordIndex));
            for (var i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i].Sample.Timestamp, got[i].Sample.Timestamp);
                Assert.Equal(Bits(expected[i].Sample), Bits(got[i].Sample));
                var (e, g) = (expected[i].Sample, got[i].Sample);
                Assert.Equal((e.TestId, e.ChannelId, e.Cycle, e.StepIndex, e.StepType, e.StepEnd), (g.TestId, g.ChannelId, g.Cycle, g.StepIndex, g.StepType, g.StepEnd));
            }
        }, iter: 40);
    }

    [Fact]
    public void A_chunk_of_another_format_is_refused_not_guessed()
    {
        var data = SampleChunk.Encode([(1, Sample(0))]);
        data[0] = 2;
        Assert.Throws<InvalidDataException>(() => SampleChunk.Decode(data, "t", "ch1"));
    }

    [Fact]
    public void Instrument_text_values_pack_into_a_few_bytes_per_sample()
    {
        // A CC half cycle as an SMU reports it (6-7 significant digits), capacities integrated, 0.1 N force, 1 mK RTD.
        var random = new Random(7);
        var rows = Enumerable.Range(0, 128).Select(i => ((long)i + 1, Sample(i * 10.0) with
        {
            VoltageVolts = Math.Round(3.4 + (i * 0.0007) + (random.NextDouble() * 1e-4), 6),
            CurrentAmperes = 0.000785,
            StepCapacityAmpHours = i * 10 * 0.000785 / 3600,
            ChargeCapacityAmpHours = i * 10 * 0.000785 / 3600,
            ForceNewtons = Math.Round(785 + random.NextDouble(), 1),
            TemperatureCelsius = Math.Round(40 + ((random.NextDouble() - 0.5) * 0.02), 3),
        })).ToList();
        var bytes = SampleChunk.Encode(rows).Length;
        Assert.True(bytes / 128.0 < 16, $"{bytes / 128.0:0.0} bytes per sample");
    }

    private static TestSampleRecord Sample(double t, string testId = "t", int cycle = 1) =>
        new(testId, "ch1", Start.AddSeconds(t), t, t, cycle, 1, "CC_CHG", 3.5 + (t * 1e-5), 0.000785, t * 2.18e-7, t * 2.18e-7, 0, 785.3, null, 40.001, false);

    private static TestStartRecord StartRecord(string testId) =>
        new(testId, "rig-t", "ch1", Start, new CellOptions { Name = "HC-01", Chemistry = CellChemistry.AnodeFreeHalfCell }, "plate-strip", "steps: []",
            new Dictionary<string, string>(), "0.1.0", "{}", "ana", null);

    private static long Count(string db, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ToString());
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return (long)cmd.ExecuteScalar()!;
    }

    [Fact]
    public void Samples_fold_into_chunks_as_the_tail_fills_and_every_reader_sees_chunks_and_tail_as_one_sequence()
    {
        var written = new List<TestSampleRecord>();
        using (var store = new RigStore(Db, chunkSamples: 8))
        {
            store.AddTest(StartRecord("t1"));
            for (var i = 0; i < 53; i++)
            {
                var sample = Sample(i * 10, "t1", cycle: 1 + (i / 20));
                written.Add(sample);
                Assert.Equal(i + 1, store.AddSample(sample, null));
            }
            Assert.Equal(6, Count(Db, "SELECT count(*) FROM sample_chunks"));
            Assert.Equal(5, Count(Db, "SELECT count(*) FROM samples"));
            AssertReads(store, written);
        }
        // Reopened (the in-memory counters gone, as after a crash): indexes continue, the tail keeps filling and folding.
        using (var store = new RigStore(Db, chunkSamples: 8))
        {
            for (var i = 53; i < 70; i++)
            {
                var sample = Sample(i * 10, "t1", cycle: 1 + (i / 20));
                written.Add(sample);
                Assert.Equal(i + 1, store.AddSample(sample, null));
            }
            Assert.Equal(8, Count(Db, "SELECT count(*) FROM sample_chunks"));
            AssertReads(store, written);
            store.EndTest(new TestEndRecord("t1", "ch1", Start.AddHours(1), RunState.Finished, "done", null, null, null, null, null));
            Assert.Equal(0, Count(Db, "SELECT count(*) FROM samples"));
            Assert.Equal(9, Count(Db, "SELECT count(*) FROM sample_chunks"));
            AssertReads(store, written);
        }
    }

    private static void AssertReads(RigStore store, List<TestSampleRecord> written)
    {
        Assert.Equal(written.Count, store.FindTest("t1")!.SampleCount);
        var paged = new List<(long RecordIndex, TestSampleRecord Sample)>();
        for (long after = 0; ;)
        {
            var page = store.ReadSamples("t1", "ch1", after, 7);
            if (page.Count == 0)
            {
                break;
            }
            Assert.True(page.Count <= 7);
            paged.AddRange(page);
            after = page[^1].RecordIndex;
        }
        Assert.Equal(Enumerable.Range(1, written.Count).Select(i => (long)i), paged.Select(p => p.RecordIndex));
        Assert.Equal(written, paged.Select(p => p.Sample));
        Assert.Equal(written.TakeLast(11), store.ReadLatestSamples("t1", "ch1", 11));
        Assert.Equal(written, store.ReadLatestSamples("t1", "ch1", 1000));
        var cycle2 = store.ReadCycleSamples("t1", [2]);
        Assert.Equal(written.Select((s, i) => (s, i)).Where(x => x.s.Cycle == 2).Select(x => (long)x.i + 1), cycle2.Select(c => c.RecordIndex));
        Assert.All(cycle2, c => Assert.Equal(written[(int)c.RecordIndex - 1].VoltageVolts, c.VoltageVolts));
        Assert.Equal(written.Select((s, i) => (long)i + 1).Where(i => i >= 30 && written[(int)i - 1].Cycle is 2 or 3),
            store.ReadCycleSamples("t1", [2, 3], fromRecordIndex: 30).Select(c => c.RecordIndex));
    }

    [Fact]
    public void A_store_from_before_chunks_is_read_as_it_is_and_folded_in_place()
    {
        // An old store: every sample a row of the samples table, no sample_chunks table at all.
        var written = new List<TestSampleRecord>();
        using (var store = new RigStore(Db, chunkSamples: int.MaxValue))
        {
            store.AddTest(StartRecord("t1"));
            store.AddTest(StartRecord("t2") with { ChannelId = "ch2" });
            for (var i = 0; i < 45; i++)
            {
                written.Add(Sample(i * 10, "t1", cycle: 1 + (i / 20)));
                store.AddSample(written[^1], null);
                store.AddSample(Sample(i, "t2") with { ChannelId = "ch2" }, null);
            }
        }
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Db, Pooling = false }.ToString()))
        {
            connection.Open();
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "DROP TABLE sample_chunks; UPDATE tests SET ended_unix_ms = 1, final_state = 'Finished' WHERE test_id = 't2'";
            cmd.ExecuteNonQuery();
        }
        using (var store = new RigStore(Db, chunkSamples: 8))
        {
            AssertReads(store, written);
            Assert.Equal(90, Count(Db, "SELECT count(*) FROM samples"));
            var folded = 0;
            for (int n; (n = store.FoldOldSamples(2)) > 0;)
            {
                Assert.True(n <= 2);
                folded += n;
                AssertReads(store, written);
            }
            // t1 (running): 5 full chunks, its last 5 samples stay the open tail; t2 (ended): 6 chunks, nothing left.
            Assert.Equal(11, folded);
            Assert.Equal(5, Count(Db, "SELECT count(*) FROM samples"));
            Assert.Equal(0, store.FoldOldSamples(2));
            Assert.Equal(45, store.FindTest("t2")!.SampleCount);
            // The running test goes on where it was.
            written.Add(Sample(450, "t1", cycle: 3));
            Assert.Equal(46, store.AddSample(written[^1], null));
            AssertReads(store, written);
        }
    }

    [Fact]
    public async Task The_store_writer_folds_an_old_store_while_it_is_idle()
    {
        using (var store = new RigStore(Db, chunkSamples: int.MaxValue))
        {
            store.AddTest(StartRecord("t1"));
            for (var i = 0; i < 100; i++)
            {
                store.AddSample(Sample(i * 10, "t1"), null);
            }
        }
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Db, Pooling = false }.ToString()))
        {
            connection.Open();
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "DROP TABLE sample_chunks";
            cmd.ExecuteNonQuery();
        }
        using var reopened = new RigStore(Db, chunkSamples: 4);
        using var writer = new StoreWriter(reopened, Microsoft.Extensions.Options.Options.Create(new StoreOptions()), TimeProvider.System);
        // Each group the writer commits is followed by at most 8 chunks of folding: 25 chunks take 4 groups.
        for (var group = 0; group < 4; group++)
        {
            await writer.EnqueueAsync(_ => { });
            await writer.FlushAsync();
        }
        Assert.Equal(25, Count(Db, "SELECT count(*) FROM sample_chunks"));
        Assert.Equal(0, Count(Db, "SELECT count(*) FROM samples"));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i * 10.0), reopened.ReadSamples("t1", "ch1", 0, 1000).Select(s => s.Sample.TestTimeSeconds));
    }
}
