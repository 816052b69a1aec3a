using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Rig.Drivers.Cells;
using UnitsNet;

namespace Rig.Bench;

/// <summary>How fast the simulated cells integrate: the ceiling on accelerated-time tests.</summary>
internal static class SimulatedCellBench
{
    public static Task RunAsync()
    {
        foreach (var (name, chemistry) in new (string, Func<ICellElectrochemistry>)[]
        {
            ("half cell, CC", () => new AnodeFreeHalfCell(0.785, new HalfCellParameters())),
            ("full cell, CC", () => new AnodeFreeFullCell(0.785, new FullCellParameters())),
        })
        {
            var time = new FakeTimeProvider();
            var cell = new SimulatedCell(chemistry(), time, () => Temperature.FromDegreesCelsius(40));
            const int steps = 2_000_000;
            var stopwatch = Stopwatch.StartNew();
            for (var i = 0; i < steps; i++)
            {
                if (i % 3600 == 0)
                {
                    // alternate an hour of charge and an hour of discharge at 1 mA/cm²
                    var sign = (i / 3600) % 2 == 0 ? 1 : -1;
                    cell.Apply(CellDrive.ConstantCurrent(sign * 0.000785, 5));
                }
                time.Advance(TimeSpan.FromSeconds(1));
                cell.Read();
            }
            stopwatch.Stop();
            Console.WriteLine($"{name}: {steps / stopwatch.Elapsed.TotalSeconds:N0} simulated seconds per wall second ({steps:N0} steps of 1 s in {stopwatch.Elapsed.TotalSeconds:0.00} s)");
        }
        return Task.CompletedTask;
    }
}
