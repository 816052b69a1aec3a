using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Rig.Drivers.Cells;
using Rig.Drivers.Potentiostats.Simulated;
using Rig.Service.Channels;
using Rig.Service.Configuration;
using Rig.Service.Engine;
using Rig.Service.Engine.Protocols;
using Rig.Service.Engine.Simulation;
using Rig.Service.Recording;
using Rig.Service.Store;
using Rig.Service.Telemetry;
using Rig.Service.Timing;
using UnitsNet;

namespace Rig.Bench;

/// <summary>
/// The five figures of issue 19, side by side in one run: channel-loop jitter while every commit stalls 50-200 ms;
/// stored bytes per sample of 8 full-cell channels (indexes and outbox included) with the cycle metrics recomputed
/// from the store; sample → subscriber latency at 8 channels × 10 Hz through a real mosquitto; the sustained rate at
/// 64 channels beside mosquitto_pub's own rate against the same broker; the process's memory and GC settings.
/// </summary>
internal static class DataPathBench
{
    public static async Task RunAsync()
    {
        Console.WriteLine(GcSettings());
        Console.WriteLine(FsyncLatency());
        await LoopJitterSideBySideAsync();
        await StoredBytesAsync(channels: 8, samplesPerChannel: 6_000, instrumentText: true);
        await StoredBytesAsync(channels: 8, samplesPerChannel: 6_000, instrumentText: false);
        await MqttAsync();
        Console.WriteLine(Memory("of the bench process after the run"));
        await ServiceMemoryBench.MeasureAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>
    /// The shipped clock (PreciseTimeProvider, as the service registers it) beside the system's, alternately so both see
    /// the same machine: the timers alone, 8 loops on each clock at once, then 8 loops on one clock recording nothing, then with every commit stalled.
    /// </summary>
    internal static async Task LoopJitterSideBySideAsync()
    {
        var shipped = new PreciseTimeProvider();
        Console.WriteLine(TimerBench.HandOff(samples: 400));
        foreach (var (time, clock) in new[] { (TimeProvider.System, "TimeProvider.System"), ((TimeProvider)shipped, "shipped PreciseTimeProvider") })
        {
            Console.WriteLine(TimerBench.Lateness(time, clock, samples: 400));
            Console.WriteLine(TimerBench.ArmedBeforeDeadline(time, clock, samples: 400));
        }
        await TimerBench.LoopsTogetherAsync(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(16), loopsEach: 8, (shipped, "shipped PreciseTimeProvider"), (TimeProvider.System, "TimeProvider.System"));
        foreach (var withStore in new[] { false, true })
        {
            foreach (var (time, clock) in new[] { ((TimeProvider)shipped, "shipped PreciseTimeProvider"), (TimeProvider.System, "TimeProvider.System") })
            {
                await LoopJitterAsync(channels: 8, period: TimeSpan.FromMilliseconds(500), duration: TimeSpan.FromSeconds(16), time, clock, withStore);
            }
        }
    }

    /// <summary>The GC configuration in force (runtimeconfig / DOTNET_ environment variables).</summary>
    internal static string GcSettings()
    {
        var info = GC.GetGCMemoryInfo();
        var limit = AppContext.GetData("GCHeapHardLimit");
        var conserve = AppContext.GetData("GCConserveMemory") ?? Environment.GetEnvironmentVariable("DOTNET_GCConserveMemory");
        return string.Create(CultureInfo.InvariantCulture,
            $"gc: server={GCSettings.IsServerGC}, concurrent={AppContext.GetData("System.GC.Concurrent") ?? "default"}, latency={GCSettings.LatencyMode}, " +
            $"heap hard limit={(limit is null ? "none" : limit)}, conserve memory={conserve ?? "0"}, total available {info.TotalAvailableMemoryBytes / 1048576.0:0} MiB, " +
            $"{Environment.ProcessorCount} cores, .NET {Environment.Version}");
    }

    /// <summary>This disk's own fsync: 200 times 4 KiB appended and flushed to disk, as a commit does.</summary>
    internal static string FsyncLatency()
    {
        var path = Path.Combine(Path.GetTempPath(), $"rig-bench-fsync-{Guid.NewGuid():N}");
        var times = new List<double>();
        try
        {
            using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.None);
            var block = new byte[4096];
            for (var i = 0; i < 200; i++)
            {
                var stopwatch = Stopwatch.StartNew();
                file.Write(block);
                file.Flush(flushToDisk: true);
                times.Add(stopwatch.Elapsed.TotalMilliseconds);
            }
        }
        finally
        {
            File.Delete(path);
        }
        var sorted = times.Order().ToArray();
        return string.Create(CultureInfo.InvariantCulture, $"disk: 4 KiB write + fsync median {Percentile(sorted, 0.5):0.0} ms, p99 {Percentile(sorted, 0.99):0.0} ms ({Path.GetTempPath()}); load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
    }

    internal static string Memory(string when)
    {
        var status = File.Exists("/proc/self/status") ? File.ReadAllLines("/proc/self/status") : [];
        string Field(string name) => status.FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal))?[(name.Length + 1)..].Trim() ?? "?";
        return string.Create(CultureInfo.InvariantCulture,
            $"memory {when}: RSS {Environment.WorkingSet / 1048576.0:0.0} MiB (peak {Field("VmHWM")}), managed heap {GC.GetTotalMemory(false) / 1048576.0:0.0} MiB, " +
            $"GC heap committed {GC.GetGCMemoryInfo().TotalCommittedBytes / 1048576.0:0.0} MiB, gen0/1/2 collections {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}");
    }

    // 1. Every channel loop samples on its period and hands the sample to the recorder, while the store's commits stall.
    private static async Task LoopJitterAsync(int channels, TimeSpan period, TimeSpan duration, TimeProvider time, string clockName, bool withStore)
    {
        var directory = Directory.CreateTempSubdirectory("rig-bench-jitter-").FullName;
        try
        {
            using var store = new RigStore(Path.Combine(directory, "rig.db"), syncEveryCommit: true);
            var slow = SlowCommits.Attach(store.WriteConnection, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200));
            using var writer = Writer(store);
            var recorder = KeepEverything(store, writer);
            var tests = new List<string>();
            for (var c = 1; c <= channels; c++)
            {
                tests.Add(await TelemetryBench.StartTest(recorder, $"ch{c}"));
            }
            var starts = Enumerable.Range(0, channels).Select(_ => new List<TimeSpan>()).ToArray();
            using var stop = new CancellationTokenSource(duration);
            var clock = Stopwatch.StartNew();
            var loops = Enumerable.Range(0, channels).Select(c => Task.Run(async () =>
            {
                var t = 0;
                try
                {
                    await PeriodicLoop.RunAsync(period, time, async ct =>
                    {
                        starts[c].Add(clock.Elapsed);
                        var sample = new TestSampleRecord(tests[c], $"ch{c + 1}", DateTimeOffset.UtcNow, t, t, 1, 1, "CC_CHG", 3.4 + t * 1e-5, 0.000785, t * 2e-7, t * 2e-7, 0, 785, 10e6, 40, false);
                        t++;
                        if (withStore)
                        {
                            await recorder.SampleAsync(sample, ct);
                        }
                    }, stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            })).ToArray();
            await Task.WhenAll(loops);
            await DrainAsync(recorder);
            var intervals = starts.SelectMany(s => s.Zip(s.Skip(1), (a, b) => Math.Abs((b - a - period).TotalMilliseconds))).Order().ToArray();
            // One tick at once, then one per period: the ticks due before the stop (32 per channel in 16 s at 500 ms). The one
            // due at the stop itself races the cancellation and is not counted (it made the old count read "263 of 256").
            var expected = channels * (int)Math.Ceiling(duration / period);
            var ticks = starts.Sum(s => s.Count(t => t < duration));
            var late = starts.Sum(s => s.Zip(s.Skip(1), (a, b) => b - a).Count(d => d >= 2 * period));
            var what = withStore ? $"every commit stalled 50-200 ms ({slow.Commits} commits)" : "samples not recorded (this machine's own timer jitter)";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"loop jitter, {clockName}, {channels} channels every {period.TotalMilliseconds:0} ms for {duration.TotalSeconds:0} s, {what}: " +
                $"period jitter median {Percentile(intervals, 0.5):0.0} ms, p99 {Percentile(intervals, 0.99):0.0} ms, max {intervals.LastOrDefault():0.0} ms; " +
                $"{ticks:N0} of {expected:N0} ticks ran, {late:N0} gaps of two periods or more; {store.ListTests().Sum(t => t.SampleCount):N0} samples stored in {writer.Groups:N0} group commits, {writer.Dropped} dropped; " +
                $"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
        }
        finally
        {
            Directory.Delete(directory, true);
        }
    }

    // 2. Bytes per stored sample: 8 channels running the full-cell preset on simulated cells under the default recording
    // policy; the cycle metrics recomputed from the stored samples against the ones the engine reported live.
    internal static async Task StoredBytesAsync(int channels, int samplesPerChannel, bool instrumentText)
    {
        var directory = Directory.CreateTempSubdirectory("rig-bench-bytes-").FullName;
        try
        {
            var path = Path.Combine(directory, "rig.db");
            using var store = new RigStore(path, syncEveryCommit: false);
            using var writer = Writer(store);
            var recorder = new StoreTestRecorder(store, Options.Create(new StoreOptions()), writer: writer);
            var live = new List<CycleSummary>();
            var stopwatch = Stopwatch.StartNew();
            for (var c = 1; c <= channels; c++)
            {
                live.AddRange(await RunFullCellAsync(recorder, $"ch{c}", samplesPerChannel, seed: c, instrumentText));
            }
            await DrainAsync(recorder);
            var writeSeconds = stopwatch.Elapsed.TotalSeconds;
            var stored = store.ListTests().Sum(t => t.SampleCount);
            store.Compact();
            var withOutbox = store.SizeOnDisk();
            store.MarkSent([.. store.ReadUnsent(0, (int)store.CountUnsent() + 1).Select(m => m.Id)], DateTimeOffset.UtcNow);
            store.PruneSent(DateTimeOffset.MaxValue);
            store.Compact();
            var pruned = store.SizeOnDisk();
            var worst = WorstCycleDeviation(store, live);
            var values = instrumentText ? "V and I as an SMU reports them (NR3, 7 significant digits), force at 0.1 N, pressure = force / area" : "V and I as full doubles from the simulated cell, force and pressure from a noisy pressure";
            Console.WriteLine(ColumnBreakdown(store, "bench-ch1", "ch1", store.ChunkSamples));
            // Ending the tests folds each one's open tail (under a chunk of one-row samples) into its last chunk.
            foreach (var test in store.ListTests())
            {
                store.EndTest(new TestEndRecord(test.TestId, test.ChannelId, DateTimeOffset.UtcNow, Rig.Service.Control.RunState.Finished, "bench", null, null, null, null, null));
            }
            store.Compact();
            var ended = store.SizeOnDisk();
            Console.WriteLine($"store, bytes by table once ended: {TableSizes(path)}");
            var worstEnded = WorstCycleDeviation(store, live);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"store, {channels} full-cell channels, {values} ({stored:N0} samples kept of {channels * samplesPerChannel:N0}, {live.Count} cycles, written in {writeSeconds:0.0} s): " +
                $"{pruned / (double)stored:0.0} bytes per stored sample with indexes, outbox pruned, vacuumed, tests running (open tails); {ended / (double)stored:0.0} once the tests ended; " +
                $"{withOutbox / (double)stored:0.0} while every telemetry message waits in the outbox; a year of 8 channels at one sample per 5 s: {8 * (365.25 * 86400 / 5) * pruned / stored / 1e9:0.00} GB"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"store, cycle metrics recomputed from the stored samples vs live (charge, discharge capacity, CE over {live.Count} cycles): worst relative deviation {worst * 1e6:0.000} ppm running, {worstEnded * 1e6:0.000} ppm ended"));
        }
        finally
        {
            Directory.Delete(directory, true);
        }
    }

    /// <summary>Roughly what each table holds (content bytes; dbstat is not compiled into the bundled SQLite).</summary>
    private static string TableSizes(string path)
    {
        using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        db.Open();
        var parts = new List<string>();
        foreach (var (table, size) in new[]
        {
            ("sample_chunks", "sum(length(data)) + 40 * count(*)"), ("samples", "count(*) * 100"), ("cycles", "sum(length(summary_json))"),
            ("tests", "sum(length(start_json) + coalesce(length(end_json), 0))"), ("checkpoints", "sum(length(state_json))"),
            ("channel_state", "sum(length(state_json))"), ("events", "sum(length(message)) + 40 * count(*)"), ("outbox", "sum(length(payload) + length(topic))"),
        })
        {
            using var cmd = db.CreateCommand();
            cmd.CommandText = $"SELECT coalesce({size}, 0) FROM {table}";
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{table} {Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture) / 1024.0:0} KiB"));
        }
        return string.Join(", ", parts);
    }

    /// <summary>Where a chunk's bits go: each double column of one test encoded alone, chunk by chunk, in bytes per sample.</summary>
    private static string ColumnBreakdown(RigStore store, string testId, string channelId, int chunkSamples)
    {
        var samples = store.ReadSamples(testId, channelId, 0, int.MaxValue).Select(p => p.Sample).ToList();
        (string Name, Func<TestSampleRecord, double?> Value)[] columns =
        [
            ("test_time", s => s.TestTimeSeconds), ("step_time", s => s.StepTimeSeconds), ("V", s => s.VoltageVolts), ("I", s => s.CurrentAmperes),
            ("step_Ah", s => s.StepCapacityAmpHours), ("charge_Ah", s => s.ChargeCapacityAmpHours), ("discharge_Ah", s => s.DischargeCapacityAmpHours),
            ("force", s => s.ForceNewtons), ("pressure", s => s.StackPressurePascals), ("temperature", s => s.TemperatureCelsius),
        ];
        var parts = columns.Select(column =>
        {
            long bits = 0;
            foreach (var chunk in samples.Chunk(chunkSamples))
            {
                var writer = new Rig.Service.Store.Chunks.BitWriter();
                Rig.Service.Store.Chunks.DoubleColumn.Write(writer, chunk.Select(column.Value).OfType<double>().ToArray());
                bits += writer.BitCount;
            }
            return string.Create(CultureInfo.InvariantCulture, $"{column.Name} {bits / 8.0 / samples.Count:0.0}");
        });
        var total = samples.Chunk(chunkSamples).Sum(c => (long)Rig.Service.Store.Chunks.SampleChunk.Encode([.. c.Select((s, i) => ((long)i + 1, s))]).Length);
        return string.Create(CultureInfo.InvariantCulture, $"store, chunk bytes per sample by column ({testId}, {samples.Count:N0} samples, chunks of {chunkSamples}): {string.Join(", ", parts)}; whole chunks {total / (double)samples.Count:0.0}");
    }

    /// <summary>What a Keithley 2450 prints (NR3, six decimals) parsed back, as the SCPI driver does.</summary>
    private static double Nr3(double value) => double.Parse(value.ToString("0.000000E+00", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static async Task<List<CycleSummary>> RunFullCellAsync(StoreTestRecorder recorder, string channelId, int samples, int seed, bool instrumentText)
    {
        const double areaCm2 = 0.785;
        var random = new Random(seed);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
        var cell = new SimulatedCell(new AnodeFreeFullCell(areaCm2, new FullCellParameters()), time, () => Temperature.FromDegreesCelsius(40), maxStep: TimeSpan.FromSeconds(10));
        var instrument = new SimulatedPotentiostatChannel(cell, time, "sim-smu:bench");
        var text = new PresetLibrary().Text("anode-free-full-cell") ?? throw new InvalidOperationException("preset anode-free-full-cell missing");
        var plan = ProtocolCompiler.Compile(text);
        var start = new TestStartRecord($"bench-{channelId}", "rig-bench", channelId, time.GetUtcNow(), new CellOptions { Chemistry = CellChemistry.AnodeFreeFullCell },
            plan.Name, text, plan.Parameters, "bench", null, null, null);
        var engine = CyclingEngine.Start(plan, start, areaCm2);
        // A load cell and an RTD read with their noise at the resolution they report (0.1 N, 1 mK).
        var run = new AcceleratedRun(instrument, time.Advance, TimeSpan.FromSeconds(10),
            () => Pressure.FromPascals(Math.Round(785 + random.NextDouble(), 1) / (areaCm2 * 1e-4)),
            () => Temperature.FromDegreesCelsius(Math.Round(40 + (random.NextDouble() - 0.5) * 0.02, 3)));
        var records = new List<object>();
        var cycles = 0;
        run.OnSample = s => records.Add(instrumentText
            ? s with
            {
                VoltageVolts = Nr3(s.VoltageVolts),
                CurrentAmperes = Nr3(s.CurrentAmperes),
                ForceNewtons = Math.Round(s.StackPressurePascals!.Value * areaCm2 * 1e-4, 1),
                StackPressurePascals = Math.Round(s.StackPressurePascals!.Value * areaCm2 * 1e-4, 1) / (areaCm2 * 1e-4),
            }
            : s with { ForceNewtons = s.StackPressurePascals * areaCm2 * 1e-4 });
        run.AfterSample = _ =>
        {
            while (cycles < run.Cycles.Count)
            {
                records.Add(run.Cycles[cycles++]);
            }
        };
        await recorder.TestStartedAsync(start, CancellationToken.None);
        await run.RunAsync(engine, samples);
        foreach (var record in records)
        {
            if (record is TestSampleRecord sample)
            {
                await recorder.SampleAsync(sample, CancellationToken.None);
            }
            else if (record is CycleSummary cycle)
            {
                await recorder.CycleClosedAsync(cycle, CancellationToken.None);
            }
        }
        return run.Cycles;
    }

    /// <summary>Each closed cycle's charge and discharge capacity and CE recomputed from its stored samples, against the live summary.</summary>
    private static double WorstCycleDeviation(RigStore store, List<CycleSummary> live)
    {
        var worst = 0.0;
        foreach (var byTest in live.GroupBy(c => c.TestId))
        {
            var samples = new List<TestSampleRecord>();
            for (long after = 0; ;)
            {
                var page = store.ReadSamples(byTest.Key, byTest.First().ChannelId, after, 10_000);
                if (page.Count == 0)
                {
                    break;
                }
                samples.AddRange(page.Select(p => p.Sample));
                after = page[^1].RecordIndex;
            }
            var perCycle = samples.GroupBy(s => s.Cycle).ToDictionary(g => g.Key, g => (Charge: g.Max(s => s.ChargeCapacityAmpHours) * 1000, Discharge: g.Max(s => s.DischargeCapacityAmpHours) * 1000));
            foreach (var cycle in byTest)
            {
                var (charge, discharge) = perCycle[cycle.Cycle];
                worst = Math.Max(worst, Relative(charge, cycle.ChargeCapacityMilliampHours));
                worst = Math.Max(worst, Relative(discharge, cycle.DischargeCapacityMilliampHours));
                worst = Math.Max(worst, Relative(charge > 0 ? discharge / charge : 0, cycle.CoulombicEfficiency));
            }
        }
        return worst;
    }

    private static double Relative(double recomputed, double live) => live == 0 ? Math.Abs(recomputed) : Math.Abs(recomputed - live) / Math.Abs(live);

    // 3 and 4: one mosquitto; 8 channels at 10 Hz for latency, 64 channels flat out for rate, mosquitto_pub for the broker's own rate.
    internal static async Task MqttAsync() => await MqttAsync(rateOnly: false);

    /// <summary>With <paramref name="rateOnly"/>: mosquitto_pub's rate and the 64 channels only (to profile the publish path).</summary>
    internal static Task MqttAsync(bool rateOnly) => WithBrokerAsync("rig-bench-dp-mqtt-", async (port, directory) =>
        {
            var payloadBytes = await MosquittoPubRateAsync(port, directory, messages: 20_000);
            if (!rateOnly)
            {
                // The first seconds of a process JIT-compile the whole path (tier 0, then tier 1): a running service is
                // past them, so they are run once first and printed apart (p99 0.5-2 s at load 50-60 on the build VM).
                await ServicePathAsync(port, directory, channels: 8, paced: true, TimeSpan.FromSeconds(4), warmUp: true);
                await ServicePathAsync(port, directory, channels: 8, paced: true, TimeSpan.FromSeconds(8));
                await ServicePathAsync(port, directory, channels: 8, paced: true, TimeSpan.FromSeconds(8), syncEveryCommit: false);
            }
            // The 64-channel path runs code the paced runs barely touch (a chunk fold every 128 samples of each test, full
            // pages): its tier-1 recompilation would land in the figure, so it is warmed up too, printed apart.
            await ServicePathAsync(port, directory, channels: 64, paced: false, TimeSpan.FromSeconds(2), warmUp: true);
            await ServicePathAsync(port, directory, channels: 64, paced: false, TimeSpan.FromSeconds(8));
            _ = payloadBytes;
        });

    /// <summary>
    /// Runs <paramref name="body"/> against a scratch mosquitto on loopback (no in-flight limit, a deep queue), after
    /// printing the disk's own fsync latency in the same minute: with synchronous=FULL a sample is published only after
    /// its group's fsync, so the latency's tail is at least this disk's.
    /// </summary>
    private static async Task WithBrokerAsync(string prefix, Func<int, string, Task> body)
    {
        var directory = Directory.CreateTempSubdirectory(prefix).FullName;
        var port = TelemetryBench.FreePort();
        await File.WriteAllTextAsync(Path.Combine(directory, "mosquitto.conf"), $"listener {port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 1000000\nmax_inflight_messages 128\nuser {Environment.UserName}\n");
        using var mosquitto = Process.Start(new ProcessStartInfo("/usr/sbin/mosquitto", ["-c", Path.Combine(directory, "mosquitto.conf")]) { RedirectStandardError = true })!;
        try
        {
            await TelemetryBench.WaitForPortAsync(port);
            Console.WriteLine(FsyncLatency());
            await body(port, directory);
        }
        finally
        {
            mosquitto.Kill();
            await mosquitto.WaitForExitAsync();
            Directory.Delete(directory, true);
        }
    }

    /// <summary>mosquitto_pub -l (one message per line, QoS 1) with telemetry-sized payloads: the broker and loopback's own rate here.</summary>
    private static async Task<int> MosquittoPubRateAsync(int port, string directory, int messages)
    {
        var sample = new TestSampleRecord("rig-01-ch1-20260101T000000Z", "ch1", DateTimeOffset.UtcNow, 1234.5, 12.5, 3, 2, "CC_CHG", 3.412345, 0.000785, 1.2e-4, 1.2e-4, 0, 785.3, 10.0e6, 40.012, false);
        var line = Encoding.UTF8.GetString(TelemetryPayloads.Telemetry(sample, 1, halfCell: false));
        var file = Path.Combine(directory, "lines.txt");
        await File.WriteAllLinesAsync(file, Enumerable.Repeat(line, messages));
        await using var subscriber = await MosquittoSubscriber.StartAsync(port, "bench/pub/#", parseTimes: false);
        var stopwatch = Stopwatch.StartNew();
        var start = new ProcessStartInfo("mosquitto_pub", ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-q", "1", "-t", "bench/pub/telemetry", "-l"])
        {
            RedirectStandardInput = true,
        };
        var pubCpu = 0.0;
        using (var pub = Process.Start(start)!)
        {
            // Its CPU time, read while it runs (gone from /proc once it exits): misses at most its last 20 ms.
            using var watching = new CancellationTokenSource();
            var watch = Task.Run(async () =>
            {
                while (!watching.IsCancellationRequested)
                {
                    pubCpu = Math.Max(pubCpu, CpuSeconds(pub.Id));
                    await Task.Delay(20);
                }
            });
            await using (var input = File.OpenRead(file))
            {
                await input.CopyToAsync(pub.StandardInput.BaseStream);
            }
            pub.StandardInput.Close();
            await pub.WaitForExitAsync();
            await watching.CancelAsync();
            await watch;
        }
        var sent = stopwatch.Elapsed;
        await subscriber.WaitForAsync(messages, TimeSpan.FromSeconds(60));
        var delivered = stopwatch.Elapsed;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"mosquitto_pub -l -q 1, {messages:N0} telemetry-sized messages ({line.Length} bytes), counted by mosquitto_sub: sent in {sent.TotalSeconds:0.00} s, {subscriber.Received:N0} received in {delivered.TotalSeconds:0.00} s " +
            $"({subscriber.Received / delivered.TotalSeconds:N0} msg/s end to end, {subscriber.Received / subscriber.ArrivalSpanSeconds:N0} msg/s first to last arrival); " +
            $"mosquitto_pub used {pubCpu:0.00} CPU-s ({messages / pubCpu:N0} msg per CPU-second); load average {LoadAverage()}"));
        return line.Length;
    }

    /// <summary>The service's path: recorder → store (synchronous=FULL) → outbox publisher → MQTT client → mosquitto → a subscriber.</summary>
    private static async Task ServicePathAsync(int port, string directory, int channels, bool paced, TimeSpan duration, bool syncEveryCommit = true, bool warmUp = false, bool trace = false, bool grownWal = false)
    {
        var rig = new RigOptions { Id = $"dp{channels}{paced}{syncEveryCommit}{(warmUp ? "w" : "")}{(trace ? $"t{Guid.NewGuid():N}"[..8] : "")}", Channels = Enumerable.Range(1, channels).ToDictionary(i => $"ch{i}", _ => new ChannelOptions()) };
        var mqtt = new MqttOptions { Broker = "127.0.0.1", Port = port, TopicPrefix = "bench", ReconnectMinDelay = TimeSpan.FromMilliseconds(100) };
        using var store = new RigStore(Path.Combine(directory, $"{rig.Id}.db"), syncEveryCommit);
        if (grownWal)
        {
            GrowWal(store.Path);
        }
        using var pathTrace = trace ? PathTrace.Attach(store) : null;
        using var writer = Writer(store);
        var recorder = KeepEverything(store, writer);
        using var connection = new MqttConnection(Options.Create(mqtt), Options.Create(rig), TimeProvider.System, NullLogger<MqttConnection>.Instance);
        using var publisher = new OutboxPublisher(store, connection, Options.Create(mqtt), Options.Create(new StoreOptions()), TimeProvider.System, NullLogger<OutboxPublisher>.Instance);
        await using var subscriber = await MosquittoSubscriber.StartAsync(port, $"bench/{rig.Id}/+/telemetry", parseTimes: true);
        await connection.StartAsync(CancellationToken.None);
        await publisher.StartAsync(CancellationToken.None);
        await connection.WaitConnectedAsync(CancellationToken.None);
        var tests = new List<string>();
        for (var c = 1; c <= channels; c++)
        {
            tests.Add(await TelemetryBench.StartTest(recorder, $"ch{c}"));
        }
        var period = TimeSpan.FromMilliseconds(100);
        var written = 0L;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var threadsBefore = ThreadCpu.Now();
        // The bench process's own GC pauses stop the producer, the writer and the publisher alike: one of 20-50 ms would
        // be a latency stall of the whole path, so they are printed beside the latency.
        var pauseBefore = GC.GetTotalPauseDuration();
        int[] collectionsBefore = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        var stopwatch = Stopwatch.StartNew();
        using (var timer = new PeriodicTimer(period))
        {
            for (var t = 0; stopwatch.Elapsed < duration; t++)
            {
                for (var c = 0; c < channels; c++)
                {
                    var sample = new TestSampleRecord(tests[c], $"ch{c + 1}", DateTimeOffset.UtcNow, t, t, 1, 1, "CC_CHG", 3.4 + t * 1e-5, 0.000785, t * 2e-7, t * 2e-7, 0, 785, 10e6, 40, false);
                    await recorder.SampleAsync(sample, CancellationToken.None);
                    written++;
                }
                if (paced)
                {
                    await timer.WaitForNextTickAsync();
                }
            }
        }
        var producedIn = stopwatch.Elapsed;
        await DrainAsync(recorder);
        // Where the time goes after the store has written everything: what the publishing side still had to deliver.
        var (storeDoneIn, receivedByStoreDone) = (stopwatch.Elapsed, subscriber.Received);
        // What the store kept: a sample the writer's back-pressure dropped (queue full for Store:WriteQueueFullWait) was
        // never stored, so it is counted apart from what the path lost (and not waited for: it never comes).
        var stored = store.ListTests().Sum(t => t.SampleCount);
        await subscriber.WaitForAsync(stored, duration * 4);
        var deliveredIn = stopwatch.Elapsed;
        var latencies = subscriber.Latencies();
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        var threads = ThreadCpu.Now().Since(threadsBefore);
        var gc = string.Create(CultureInfo.InvariantCulture,
            $"GC in the bench process meanwhile: gen0/1/2 {GC.CollectionCount(0) - collectionsBefore[0]}/{GC.CollectionCount(1) - collectionsBefore[1]}/{GC.CollectionCount(2) - collectionsBefore[2]}, paused {(GC.GetTotalPauseDuration() - pauseBefore).TotalMilliseconds:0.0} ms in all, the last pause {GC.GetGCMemoryInfo(GCKind.Any).PauseDurations[0].TotalMilliseconds:0.0} ms");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(warmUp ? "warm-up (JIT, not a figure): " : "")}service path, {channels} channels {(paced ? $"at {1 / period.TotalSeconds:0} Hz each" : "flat out")}, synchronous={(syncEveryCommit ? "FULL" : "NORMAL")}: {written:N0} samples written in {producedIn.TotalSeconds:0.0} s ({written / producedIn.TotalSeconds:N0}/s), " +
            $"{subscriber.Received:N0} received in {deliveredIn.TotalSeconds:0.0} s ({subscriber.Received / deliveredIn.TotalSeconds:N0} msg/s end to end, {subscriber.Received / subscriber.ArrivalSpanSeconds:N0} msg/s first to last arrival), " +
            $"{stored:N0} stored ({writer.Dropped:N0} dropped by the writer's back-pressure), {stored - subscriber.Received:N0} stored and not received; " +
            $"the store had written everything at {storeDoneIn.TotalSeconds:0.0} s, {receivedByStoreDone:N0} received by then, the rest at {(subscriber.Received - receivedByStoreDone) / Math.Max(0.001, (deliveredIn - storeDoneIn).TotalSeconds):N0} msg/s; " +
            $"latency sample->subscriber median {Percentile(latencies, 0.5):0.0} ms, p99 {Percentile(latencies, 0.99):0.0} ms, max {latencies.LastOrDefault():0.0} ms ({gc}); the service's side (producer, recorder, store writer, publisher, MQTT client: this process) used {cpu:0.00} CPU-s " +
            $"({subscriber.Received / cpu:N0} msg per CPU-second, {cpu / Math.Max(1, subscriber.Received) * 1e6:0} µs per message: {threads}); load average {LoadAverage()}"));
        pathTrace?.Print(subscriber.Arrivals());
        await publisher.StopAsync(CancellationToken.None);
        await connection.StopAsync(CancellationToken.None);
    }

    /// <summary>
    /// A running service's WAL has long reached its size (SQLite restarts it from the start after each checkpoint and
    /// does not shrink it): ~6 MB written through another connection and checkpointed, so the run's commits overwrite
    /// blocks the file already has instead of growing a new file.
    /// </summary>
    private static void GrowWal(string path)
    {
        using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "CREATE TABLE IF NOT EXISTS bench_scratch(b BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500) INSERT INTO bench_scratch SELECT randomblob(4000) FROM n; DROP TABLE bench_scratch; PRAGMA wal_checkpoint(PASSIVE);";
        cmd.ExecuteNonQuery();
    }

    /// <summary>datapath-trace: the 8 × 10 Hz latency run (after its warm-up) with every stage of the worst samples timed (<see cref="PathTrace"/>).</summary>
    internal static Task TraceAsync() => WithBrokerAsync("rig-bench-dp-trace-", async (port, directory) =>
        {
            await ServicePathAsync(port, directory, channels: 8, paced: true, TimeSpan.FromSeconds(4), warmUp: true);
            for (var run = 0; run < 3; run++)
            {
                Console.WriteLine("a new store file:");
                await ServicePathAsync(port, directory, channels: 8, paced: true, TimeSpan.FromSeconds(8), trace: true);
                Console.WriteLine("a store whose WAL has reached its size (as in a running service):");
                await ServicePathAsync(port, directory, channels: 8, paced: true, TimeSpan.FromSeconds(8), trace: true, grownWal: true);
            }
        });

    /// <summary>User + system CPU seconds of a running process (/proc/&lt;pid&gt;/stat), 0 once it is gone.</summary>
    private static double CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>The 1-minute load average now: every timing here is only as good as the machine was quiet.</summary>
    internal static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    /// <summary>Waits until everything handed to the recorder is committed.</summary>
    private static Task DrainAsync(StoreTestRecorder recorder) => recorder.FlushAsync();

    private static StoreWriter Writer(RigStore store) => new(store, Options.Create(new StoreOptions()), TimeProvider.System);

    private static StoreTestRecorder KeepEverything(RigStore store, StoreWriter writer) =>
        new(store, Options.Create(new StoreOptions { RecordPeriod = TimeSpan.FromTicks(1) }), writer: writer);

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}
