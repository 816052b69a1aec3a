using System.Diagnostics;
using Rig.Drivers.Impedance;
using Rig.Drivers.Impedance.Fitting;
using Rig.Drivers.Impedance.Gpib;
using Rig.Drivers.Impedance.Simulation;
using Rig.Drivers.Impedance.Solartron1260;
using Rig.Drivers.Potentiostats.Scpi;
using Rig.Drivers.Potentiostats.Scpi.Transports;

namespace Rig.Bench;

/// <summary>
/// Issue 18: the paper's 61-point sweep (1 MHz to 1 Hz, 10 per decade) through the real 1260 driver and the
/// Prologix protocol over loopback TCP against the simulated adapter and analyser (results ready at once: the wall
/// time is the driver's and the link's; the analyser time a real 1260 would add is printed beside it), and the
/// equivalent-circuit fit time per spectrum.
/// </summary>
internal static class ImpedanceBench
{
    private const int Sweeps = 10;
    private const int Fits = 20;

    public static async Task RunAsync()
    {
        var cell = SimulatedImpedanceCell.PaperPellet(CollectorKind.Pellet);
        await using var server = new PrologixSimulatorServer(TimeProvider.System);
        var analyser = new SimulatedSolartron1260(cell.Circuit, TimeProvider.System, seed: 1);
        server.Attach(5, analyser);
        server.Start();
        var session = new ScpiSession(new TcpScpiTransport(server.Host, server.Port), "bench 1260", TimeProvider.System);
        await using var driver = new Solartron1260Analyzer(new PrologixGpibAdapter(session, 5, TimeSpan.FromMilliseconds(500)), TimeProvider.System,
            Solartron1260Timing.Default with { ResetSettle = TimeSpan.Zero });
        await driver.ConnectAsync(CancellationToken.None);
        await driver.SweepAsync(ImpedanceSweep.Paper, null, CancellationToken.None); // warm-up

        var sweepMs = new List<double>();
        var spectra = new List<ImpedanceSpectrum>();
        var before = analyser.MeasuringTime;
        for (var i = 0; i < Sweeps; i++)
        {
            var watch = Stopwatch.StartNew();
            spectra.Add(await driver.SweepAsync(ImpedanceSweep.Paper, null, CancellationToken.None));
            sweepMs.Add(watch.Elapsed.TotalMilliseconds);
        }
        var analyserSeconds = (analyser.MeasuringTime - before).TotalSeconds / Sweeps;
        Console.WriteLine($"61-point sweep over loopback TCP (driver + Prologix protocol, {server.LinesReceived} lines in all): " +
            $"median {Median(sweepMs):0.0} ms, min {sweepMs.Min():0.0} ms over {Sweeps} sweeps");
        Console.WriteLine($"a real 1260 adds its measuring time: {analyserSeconds:0.0} s per sweep at 100 ms integration, one cycle minimum (below 10 Hz the cycles dominate)");

        var fitter = new EquivalentCircuitFitter();
        fitter.Fit(spectra[0].Points); // warm-up (JIT)
        var fitMs = new List<double>();
        var fitCpuMs = new List<double>();
        ImpedanceFit? last = null;
        for (var i = 0; i < Fits; i++)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            last = fitter.Fit(spectra[i % spectra.Count].Points);
            fitMs.Add(watch.Elapsed.TotalMilliseconds);
            fitCpuMs.Add((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds);
        }
        Console.WriteLine($"fit per 61-point spectrum (9 parameters, multi-start LM): median {Median(fitMs):0.0} ms wall, {Median(fitCpuMs):0} ms CPU, " +
            $"max {fitMs.Max():0.0} ms wall over {Fits} fits; R_bulk {last!.Bulk.Value:0.00} ± {last.Bulk.StandardError:0.00} Ω (true {cell.BulkOhms:0.00}), misfit {last.RelativeMisfit:P2}");
        RandomCircuits(fitter);
    }

    /// <summary>
    /// CPU time per fit over circuits drawn from the fit property test's ranges (fixed seed, so runs compare): CPU
    /// rather than wall time, since the shared machine's load would swamp the difference. Spectra whose fit is
    /// degenerate get the extra hop starts (docs/impedance.md), which is where the tail of the distribution comes from.
    /// </summary>
    private static void RandomCircuits(EquivalentCircuitFitter fitter)
    {
        const int Draws = 200;
        var random = new Random(11);
        double Draw(double low, double high) => low + random.NextDouble() * (high - low);
        var cpuMs = new List<double>();
        var atNoise = 0;
        for (var i = 0; i < Draws; i++)
        {
            var (bulk, gbRatio, gbPeak, gbN) = (Draw(20, 500), Draw(0.2, 1), Draw(50e3, 300e3), Draw(0.75, 0.95));
            var (interfaceOhms, intPeak, intN, tailQ, tailN) = (Draw(10, 2000), Draw(20, 1000), Draw(0.7, 0.9), Draw(3e-4, 3e-3), Draw(0.45, 0.6));
            var circuit = new EquivalentCircuit(bulk, bulk * gbRatio, SimulatedImpedanceCell.QForPeak(bulk * gbRatio, gbPeak, gbN), gbN,
                interfaceOhms, SimulatedImpedanceCell.QForPeak(interfaceOhms, intPeak, intN), intN, tailQ, tailN);
            var points = Measure(circuit, random.Next(1, 1_000_000));
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var fit = fitter.Fit(points);
            cpuMs.Add((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds);
            atNoise += fit.RelativeMisfit < 0.003 ? 1 : 0;
        }
        var sorted = cpuMs.Order().ToList();
        Console.WriteLine($"fit over {Draws} random circuits (the property test's ranges, seed 11): CPU median {sorted[Draws / 2]:0} ms, " +
            $"p90 {sorted[Draws * 9 / 10]:0} ms, max {sorted[^1]:0} ms, mean {sorted.Average():0.0} ms; misfit at the 0.2 % noise in {atNoise}/{Draws}");
    }

    private static IReadOnlyList<ImpedancePoint> Measure(EquivalentCircuit circuit, int seed)
    {
        var analyser = new SimulatedSolartron1260(() => circuit, TimeProvider.System, seed);
        analyser.Write(Solartron1260Commands.Amplitude(ImpedanceSweep.Paper.Amplitude));
        var points = new List<ImpedancePoint>();
        foreach (var f in ImpedanceSweep.Paper.Frequencies())
        {
            analyser.Write(Solartron1260Commands.Frequency(f));
            analyser.Write(Solartron1260Commands.SingleMeasurement);
            var result = Solartron1260Result.Parse(analyser.Read()!);
            points.Add(new ImpedancePoint(UnitsNet.Frequency.FromHertz(f.Hertz), result.Impedance));
        }
        return points;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
