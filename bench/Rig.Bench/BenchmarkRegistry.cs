namespace Rig.Bench;

/// <summary>One benchmark: prints its figures to stdout.</summary>
internal sealed record Benchmark(string Name, string Description, Func<Task> RunAsync);

/// <summary>Every benchmark the project has; each area adds its line.</summary>
internal static class BenchmarkRegistry
{
    public static IReadOnlyList<Benchmark> All { get; } =
    [
        new("sim-cell", "simulated cell integration rate (steps per second)", SimulatedCellBench.RunAsync),
        new("scpi", "SCPI driver queries per second and per-query overhead over loopback TCP, beside the raw socket", ScpiBench.RunAsync),
        new("heater", "heater zone on the simulated block: autotune, 22->40 °C step, door-open disturbance", HeaterBench.RunAsync),
        new("heater-sweep", "heater PID gain sweep on the simulated block through the 2 s output (how the default gains were chosen)", HeaterBench.SweepAsync),
        new("heater-stuck", "stuck-sensor check: trip times of frozen sensors, false trips over 24 h of normal noisy operation", HeaterBench.StuckSensorAsync),
        new("loadcell", "NAU7802 sampling path: readings per second per clamp and for 8 clamps on one mux", LoadCellBench.RunAsync),
        new("telemetry", "store bytes per sample; MQTT telemetry rate, latency and memory with 8 and 64 channels (needs mosquitto)", TelemetryBench.RunAsync),
        new("datapath", "issue 19 side by side: loop jitter under 50-200 ms commits, bytes per stored sample, latency at 8 x 10 Hz, 64-channel rate beside mosquitto_pub, memory (needs mosquitto)", DataPathBench.RunAsync),
        new("datapath-jitter", "issue 19: loop jitter of 8 loops, the shipped PreciseTimeProvider beside TimeProvider.System, recording nothing and with 50-200 ms commits; timer lateness and thread-pool hand-off", DataPathBench.LoopJitterSideBySideAsync),
        new("datapath-store", "issue 19: bytes per stored sample of 8 full-cell channels and the cycle metrics recomputed from the store (no mosquitto)", async () =>
        {
            await DataPathBench.StoredBytesAsync(8, 6_000, instrumentText: true);
            if (Environment.GetEnvironmentVariable("RIG_BENCH_STORE_TEXT_ONLY") is null)
            {
                await DataPathBench.StoredBytesAsync(8, 6_000, instrumentText: false);
            }
        }),
        new("datapath-mqtt", "issue 19: mosquitto_pub's rate, then the service's path at 8 channels x 10 Hz (latency) and 64 channels flat out (rate) (needs mosquitto)", DataPathBench.MqttAsync),
        new("datapath-trace", "issue 19: the 8 x 10 Hz latency run three times with each stage of the worst samples timed (commit, WAL checkpoint, GC, publish) (needs mosquitto)", DataPathBench.TraceAsync),
        new("datapath-rate", "issue 19: mosquitto_pub's rate, then the service's path at 64 channels flat out, with CPU per message (needs mosquitto)", () => DataPathBench.MqttAsync(rateOnly: true)),
        new("service-memory", "the service process's RSS with 8 simulated channels under test (RIG_BENCH_MEMORY_SECONDS, default 90; needs mosquitto)", ServiceMemoryBench.RunAsync),
        new("archive", "lab archive ingest: samples/s through parse + binary COPY, end to end from simulated rigs over mosquitto, and how many rigs at 8 channels x 1 Hz it keeps up with (needs mosquitto, postgresql)", ArchiveBench.RunAsync),
        new("archive-db", "lab archive: the database path alone (parse + binary COPY, fsync on), with CPU per sample of the archive and PostgreSQL (needs postgresql)", ArchiveBench.DatabasePathOnlyAsync),
        new("archive-backlog", "lab archive: catching up on the 800,000 samples the broker queued while it was stopped, 1 writer (as shipped) and 2, with CPU per sample per process (needs mosquitto, postgresql)", ArchiveBench.BacklogOnlyAsync),
        new("archive-flat", "lab archive: one end-to-end flat-out run, 500 rigs, 2 writers, with CPU per sample per process (needs mosquitto, postgresql)", ArchiveBench.FlatOutOnlyAsync),
        new("export-zip", "issue 20: the dashboard's export-zip of the 400-cycle full-cell preset recorded at 1 s sampling with the default policy: stored rows, BDF and zip size, reply size, time", ExportZipBench.RunAsync),
        new("history", "retained cycle history for dashboards: size and rebuild time per cycle close over 400 cycles", HistoryBench.RunAsync),
        new("engine", "400-cycle full-cell preset against the simulated rig (wall time, samples per second)", EngineBench.RunAsync),
        new("analyze", "analyze on a 400-cycle full-cell BDF file of 1.04 million rows: rows per second, peak memory (issue 13)", AnalyzeBench.RunAsync),
        new("urgent", "abort reply time p50/p99 through the composed service and mosquitto, idle and while exports of a 300,000-sample test run back to back (issue 14; needs mosquitto)", UrgentCommandBench.RunAsync),
        new("impedance", "issue 18: the paper's 61-point sweep through the 1260 driver over loopback TCP against the simulated adapter, and the equivalent-circuit fit time per spectrum", ImpedanceBench.RunAsync),
        new("hostile-memory", "service RSS over three rounds of 10,000 seeded hostile commands through mosquitto, 32 in flight (issue 22; needs mosquitto)", HostileMemoryBench.RunAsync),
        new("dry-run", "dry run of every shipped preset on its twin: wall time and predicted duration per preset", DryRunBench.RunAsync),
    ];
}
