using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Rig.Drivers.Cells;
using Rig.Drivers.Potentiostats.Simulated;
using Rig.Service.Engine;
using Rig.Service.Engine.Protocols;
using Rig.Service.Engine.Simulation;
using Rig.Service.Recording;
using UnitsNet;

namespace Rig.Bench;

/// <summary>
/// The whole 400-cycle anode-free full-cell preset (3 formation + 400 cycles) against the simulated cell and SMU
/// in one process on a virtual clock: wall time and samples per second for the engine plus the simulated rig.
/// </summary>
internal static class EngineBench
{
    private const double AreaCm2 = 0.785;

    public static async Task RunAsync()
    {
        foreach (var (samplePeriod, cellStep) in new[] { (10, 10), (10, 1) })
        {
            var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
            var cell = new SimulatedCell(new AnodeFreeFullCell(AreaCm2, new FullCellParameters()), time,
                () => Temperature.FromDegreesCelsius(40), maxStep: TimeSpan.FromSeconds(cellStep));
            var instrument = new SimulatedPotentiostatChannel(cell, time, "sim-smu:bench");
            var text = new PresetLibrary().Text("anode-free-full-cell") ?? throw new InvalidOperationException("preset anode-free-full-cell missing");
            var plan = ProtocolCompiler.Compile(text);
            var start = new TestStartRecord("bench", "rig-bench", "ch1", time.GetUtcNow(), new Rig.Service.Configuration.CellOptions(),
                plan.Name, text, plan.Parameters, "bench", null, null, null);
            var engine = CyclingEngine.Start(plan, start, AreaCm2);
            var run = new AcceleratedRun(instrument, time.Advance, TimeSpan.FromSeconds(samplePeriod),
                () => Pressure.FromMegapascals(10), () => Temperature.FromDegreesCelsius(40));

            var stopwatch = Stopwatch.StartNew();
            await run.RunAsync(engine, long.MaxValue);
            stopwatch.Stop();

            var simulatedDays = engine.State.TestSeconds / 86400;
            Console.WriteLine(FormattableString.Invariant(
                $"full cell, {run.Cycles.Count} cycles, sample every {samplePeriod} s, cell integrated in {cellStep} s steps: {stopwatch.Elapsed.TotalSeconds:0.00} s wall, {run.Samples:N0} samples ({run.Samples / stopwatch.Elapsed.TotalSeconds:N0}/s), {simulatedDays:0.0} simulated days; ICE {run.End?.InitialCoulombicEfficiency:0.0000}, avg CE {run.End?.AverageCoulombicEfficiency:0.00000}, retention {run.Cycles[^1].CapacityRetention:0.000}; {engine.State.State}"));
        }
    }
}
