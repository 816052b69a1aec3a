using Rig.Drivers.Cells;
using Rig.Drivers.Potentiostats.Scpi.Simulation;
using UnitsNet;

namespace Rig.InstrumentSimulator;

/// <summary>Builds the simulated instrument the options describe, with its cell(s) on the rig clock.</summary>
public static class SimulatedInstrumentFactory
{
    public static SimulatedScpiInstrument Create(SimulatorOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var temperature = Temperature.FromDegreesCelsius(options.TemperatureCelsius);
        SimulatedSmuChannel Channel(int seed)
        {
            ICellElectrochemistry chemistry = options.Cell.Equals("full", StringComparison.OrdinalIgnoreCase)
                ? new AnodeFreeFullCell(options.AreaCm2, new FullCellParameters())
                : new AnodeFreeHalfCell(options.AreaCm2, new HalfCellParameters());
            return new SimulatedSmuChannel(new SimulatedCell(chemistry, time, () => temperature, seed: seed));
        }
        return options.Model.ToUpperInvariant() switch
        {
            "B2901A" => new KeysightB2900Simulator([Channel(options.Seed)], time),
            "B2902A" => new KeysightB2900Simulator([Channel(options.Seed), Channel(options.Seed + 1)], time),
            var model => new Keithley2450Simulator(Channel(options.Seed), time, model),
        };
    }
}
