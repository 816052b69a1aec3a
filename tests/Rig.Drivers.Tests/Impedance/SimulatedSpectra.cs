using Rig.Drivers.Impedance;
using Rig.Drivers.Impedance.Simulation;
using Rig.Drivers.Impedance.Solartron1260;
using UnitsNet;

namespace Rig.Drivers.Tests.Impedance;

/// <summary>Spectra measured by the simulated 1260 in process (its command language, its noise), without the socket.</summary>
internal static class SimulatedSpectra
{
    public static IReadOnlyList<ImpedancePoint> Measure(EquivalentCircuit circuit, int seed, double relativeNoise = 0.002, ImpedanceSweep? sweep = null)
    {
        sweep ??= ImpedanceSweep.Paper;
        var analyser = new SimulatedSolartron1260(() => circuit, TimeProvider.System, seed) { RelativeNoise = relativeNoise };
        analyser.Write(Solartron1260Commands.Amplitude(sweep.Amplitude));
        var points = new List<ImpedancePoint>();
        foreach (var f in sweep.Frequencies())
        {
            analyser.Write(Solartron1260Commands.Frequency(f));
            analyser.Write(Solartron1260Commands.SingleMeasurement);
            var result = Solartron1260Result.Parse(analyser.Read()!);
            points.Add(new ImpedancePoint(Frequency.FromHertz(f.Hertz), result.Impedance));
        }
        return points;
    }
}
