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
        ImpedanceFit? last = null;
        for (var i = 0; i < Fits; i++)
        {
            var watch = Stopwatch.StartNew();
            last = fitter.Fit(spectra[i % spectra.Count].Points);
            fitMs.Add(watch.Elapsed.TotalMilliseconds);
        }
        Console.WriteLine($"fit per 61-point spectrum (9 parameters, multi-start LM): median {Median(fitMs):0.0} ms, max {fitMs.Max():0.0} ms over {Fits} fits; " +
            $"R_bulk {last!.Bulk.Value:0.00} ± {last.Bulk.StandardError:0.00} Ω (true {cell.BulkOhms:0.00}), misfit {last.RelativeMisfit:P2}");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
