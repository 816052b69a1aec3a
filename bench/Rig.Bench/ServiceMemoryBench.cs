using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Rig.Bench;

/// <summary>
/// The service's own resident memory: Rig.Service.dll as its own process (with its shipped runtimeconfig.json), 8
/// simulated channels each running the 1 mAh/cm² plating/stripping preset, publishing to a real mosquitto. RSS is read
/// from /proc every 5 s. Duration: RIG_BENCH_MEMORY_SECONDS (default 90; the issue's figure is for 3600).
/// RIG_BENCH_SERVICE_DIR runs a published service instead (deploy/publish.sh linux-x64 &lt;dir&gt;: the self-contained
/// trimmed ReadyToRun build a rig runs, or any other published build: trimmed, Native AOT); RIG_BENCH_SERVICE_ENV="NAME=value;NAME=value" passes runtime knobs to it
/// (DOTNET_GCHeapHardLimit, DOTNET_TieredCompilation, ...) after the shipped unit's own Environment= lines
/// (MALLOC_ARENA_MAX, DOTNET_TieredCompilation, ...; RIG_BENCH_UNIT_ENV=0 leaves them out). The largest resident
/// mappings are printed too.
/// </summary>
internal static class ServiceMemoryBench
{
    public static Task RunAsync() => MeasureAsync(TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("RIG_BENCH_MEMORY_SECONDS"), CultureInfo.InvariantCulture, out var s) ? s : 90));

    public static async Task MeasureAsync(TimeSpan duration)
    {
        var directory = Directory.CreateTempSubdirectory("rig-bench-memory-").FullName;
        var port = TelemetryBench.FreePort();
        await File.WriteAllTextAsync(Path.Combine(directory, "mosquitto.conf"), $"listener {port} 127.0.0.1\nallow_anonymous true\nuser {Environment.UserName}\n");
        using var mosquitto = Process.Start(new ProcessStartInfo("/usr/sbin/mosquitto", ["-c", Path.Combine(directory, "mosquitto.conf")]) { RedirectStandardError = true })!;
        Process? service = null;
        try
        {
            await TelemetryBench.WaitForPortAsync(port);
            var published = Environment.GetEnvironmentVariable("RIG_BENCH_SERVICE_DIR");
            var start = published is { Length: > 0 }
                ? new ProcessStartInfo(Path.Combine(published, "Rig.Service")) { WorkingDirectory = published, RedirectStandardOutput = true, RedirectStandardError = true }
                : new ProcessStartInfo("dotnet") { WorkingDirectory = AppContext.BaseDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
            if (published is not { Length: > 0 })
            {
                start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Rig.Service.dll"));
            }
            // As systemd runs it: the unit's Environment= lines first (RIG_BENCH_UNIT_ENV=0 leaves them out), then the knobs.
            var unit = Environment.GetEnvironmentVariable("RIG_BENCH_UNIT_ENV") == "0" ? [] : UnitEnvironment();
            var knobs = unit.Concat((Environment.GetEnvironmentVariable("RIG_BENCH_SERVICE_ENV") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
            foreach (var knob in knobs)
            {
                var (name, value) = (knob.Split('=', 2)[0], knob.Split('=', 2).ElementAtOrDefault(1) ?? "");
                start.Environment[name] = value;
            }
            start.Environment["DOTNET_ENVIRONMENT"] = "Production";
            start.Environment["Rig__StateDirectory"] = Path.Combine(directory, "state");
            start.Environment["Mqtt__Broker"] = "127.0.0.1";
            start.Environment["Mqtt__Port"] = port.ToString(CultureInfo.InvariantCulture);
            for (var c = 3; c <= 8; c++)
            {
                var key = $"Rig__Channels__ch{c}__";
                start.Environment[key + "Cell__Name"] = $"HC-{c}";
                start.Environment[key + "Cell__AreaCm2"] = "0.785";
                start.Environment[key + "Cell__Chemistry"] = "AnodeFreeHalfCell";
                start.Environment[key + "Clamp__Kind"] = "Simulated";
                start.Environment[key + "Clamp__RatedForceNewtons"] = "2000";
                start.Environment[key + "HeaterZone"] = "die-block";
                start.Environment[key + "Instrument__Kind"] = "Simulated";
                start.Environment[key + "Pressure__TargetMegapascals"] = "10";
                start.Environment[key + "Pressure__WindowMegapascals"] = "1";
                start.Environment[key + "Simulation__Seed"] = c.ToString(CultureInfo.InvariantCulture);
            }
            service = await ServiceProcessStart.StartConnectedAsync(start);
            for (var c = 1; c <= 8; c++)
            {
                var preset = c == 2 ? "anode-free-full-cell" : "plating-stripping-1mAh";
                using var pub = Process.Start(new ProcessStartInfo("mosquitto_pub", ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-q", "1",
                    "-t", "anodefreerig/rig-01/cmd/start", "-m", $"{{\"channel\":\"ch{c}\",\"preset\":\"{preset}\"}}"]))!;
                await pub.WaitForExitAsync();
            }
            var stopwatch = Stopwatch.StartNew();
            long peak = 0, last = 0;
            var rollup = "";
            var mappings = "";
            var minutes = new List<string>();
            var samples = new List<(double Minutes, double MiB)>();
            while (stopwatch.Elapsed < duration && !service.HasExited)
            {
                await Task.Delay(TimeSpan.FromSeconds(5));
                last = ProcessMemory.ResidentKiB(service.Id);
                peak = Math.Max(peak, last);
                rollup = Rollup(service.Id);
                mappings = LargestMappings(service.Id, 8);
                samples.Add((stopwatch.Elapsed.TotalMinutes, last / 1024.0));
                if (stopwatch.Elapsed.TotalMinutes >= minutes.Count + 1 && duration > TimeSpan.FromMinutes(5))
                {
                    // A long run keeps its RSS each minute, to see a leak as a slope.
                    minutes.Add(string.Create(CultureInfo.InvariantCulture, $"{last / 1024.0:0.0}"));
                }
            }
            var what = published is { Length: > 0 } ? $"published service ({published})" : "service process (dotnet Rig.Service.dll)";
            var environment = knobs.Length > 0 ? $"; environment {string.Join(", ", knobs)}" : "";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{what}, 8 channels under test for {stopwatch.Elapsed.TotalSeconds:0} s: RSS {last / 1024.0:0.0} MiB at the end, peak {peak / 1024.0:0.0} MiB ({rollup}); {ShippedGcSettings(published)}{environment}"));
            Console.WriteLine($"  largest resident mappings: {mappings}");
            if (minutes.Count > 0)
            {
                // Minute 1, then every 15th (the issue's hour: 1, 15, 30, 45, 60), and the trend of the second half.
                Console.WriteLine($"  RSS MiB at minute 1, 15, 30, ...: {string.Join(" ", minutes.Where((_, i) => i % 15 == 14 || i == 0))}");
                var half = samples.Where(x => x.Minutes >= stopwatch.Elapsed.TotalMinutes / 2).ToList();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  second half ({half.Count} readings): {half.Min(x => x.MiB):0.0}-{half.Max(x => x.MiB):0.0} MiB, trend {Slope(half) * 60:+0.00;-0.00} MiB/h (least squares)"));
            }
        }
        finally
        {
            if (service is { HasExited: false })
            {
                service.Kill();
                await service.WaitForExitAsync();
            }
            service?.Dispose();
            mosquitto.Kill();
            await mosquitto.WaitForExitAsync();
            Directory.Delete(directory, true);
        }
    }

    /// <summary>
    /// The shipped unit's <c>Environment=</c> lines (deploy/systemd/anodefreerig.service, found above the bench's
    /// directory) as NAME=value, except DOTNET_ENVIRONMENT (set here anyway): the runtime knobs a rig runs with.
    /// </summary>
    private static string[] UnitEnvironment()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var unit = Path.Combine(directory.FullName, "deploy", "systemd", "anodefreerig.service");
            if (File.Exists(unit))
            {
                return [.. File.ReadLines(unit).Where(l => l.StartsWith("Environment=", StringComparison.Ordinal))
                    .Select(l => l["Environment=".Length..].Trim()).Where(l => !l.StartsWith("DOTNET_ENVIRONMENT=", StringComparison.Ordinal))];
            }
        }
        return [];
    }

    /// <summary>Least-squares slope of MiB over minutes: a leak shows as a steady positive trend.</summary>
    private static double Slope(IReadOnlyList<(double Minutes, double MiB)> points)
    {
        if (points.Count < 2)
        {
            return 0;
        }
        var (mx, my) = (points.Average(p => p.Minutes), points.Average(p => p.MiB));
        var sxx = points.Sum(p => (p.Minutes - mx) * (p.Minutes - mx));
        return sxx == 0 ? 0 : points.Sum(p => (p.Minutes - mx) * (p.MiB - my)) / sxx;
    }


    /// <summary>Where the resident pages are (smaps_rollup): anonymous (heaps, JIT'ed code) vs mapped files (runtime, assemblies, libraries).</summary>
    private static string Rollup(int pid)
    {
        var path = $"/proc/{pid}/smaps_rollup";
        if (!File.Exists(path))
        {
            return "no smaps_rollup";
        }
        var fields = File.ReadLines(path).Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim(), p => long.TryParse(p[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture, out var v) ? v : 0);
        long Get(string name) => fields.TryGetValue(name, out var v) ? v : 0;
        return string.Create(CultureInfo.InvariantCulture,
            $"anonymous {Get("Anonymous") / 1024.0:0.0} MiB, file-backed {(Get("Rss") - Get("Anonymous")) / 1024.0:0.0} MiB, PSS {Get("Pss") / 1024.0:0.0} MiB");
    }

    /// <summary>Resident KiB per mapped file (anonymous mappings together), largest first, from /proc/&lt;pid&gt;/smaps.</summary>
    private static string LargestMappings(int pid, int count)
    {
        var path = $"/proc/{pid}/smaps";
        if (!File.Exists(path))
        {
            return "no smaps";
        }
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        var current = "[anonymous]";
        foreach (var line in File.ReadLines(path))
        {
            // A mapping's header ("start-end perms offset dev inode path") is the one line whose first word has no colon.
            if (line.Length > 0 && !line.Split(' ', 2)[0].EndsWith(':'))
            {
                var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
                var file = fields.Length >= 6 ? fields[5].Trim() : "";
                current = file.StartsWith('/') ? Path.GetFileName(file) : "[anonymous]";
                continue;
            }
            if (line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                var kib = long.Parse(line[4..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                sizes[current] = sizes.GetValueOrDefault(current) + kib;
            }
        }
        return string.Join(", ", sizes.OrderByDescending(p => p.Value).Take(count).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value / 1024.0:0.0}")))
            + string.Create(CultureInfo.InvariantCulture, $" MiB ({sizes.Count} mappings)");
    }

    /// <summary>The GC settings in the service's runtimeconfig.json, plus any DOTNET_GC* environment variables.</summary>
    private static string ShippedGcSettings(string? published = null)
    {
        var path = Path.Combine(published is { Length: > 0 } ? published : AppContext.BaseDirectory, "Rig.Service.runtimeconfig.json");
        var settings = new List<string>();
        if (File.Exists(path))
        {
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            if (json.RootElement.GetProperty("runtimeOptions").TryGetProperty("configProperties", out var properties))
            {
                settings.AddRange(properties.EnumerateObject().Where(p => p.Name.StartsWith("System.GC", StringComparison.Ordinal) || p.Name.Contains("Globalization", StringComparison.Ordinal))
                    .Select(p => $"{p.Name}={p.Value}"));
            }
        }
        settings.AddRange(Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => k.StartsWith("DOTNET_GC", StringComparison.OrdinalIgnoreCase))
            .Select(k => $"{k}={Environment.GetEnvironmentVariable(k)}"));
        if (!File.Exists(path) && published is { Length: > 0 })
        {
            // Native AOT: no runtimeconfig.json; the csproj's GC settings are compiled into the executable.
            return "GC settings: compiled in (Native AOT, no runtimeconfig.json)" + (settings.Count == 0 ? "" : ", " + string.Join(", ", settings));
        }
        return "GC settings: " + (settings.Count == 0 ? "runtime defaults (workstation, concurrent)" : string.Join(", ", settings));
    }
}
