using Microsoft.Extensions.Time.Testing;
using Rig.Drivers.Cells;
using Rig.Drivers.Potentiostats.Simulated;
using Rig.Service.Configuration;
using Rig.Service.Engine;
using Rig.Service.Engine.Protocols;
using Rig.Service.Engine.Simulation;
using Rig.Service.Recording;
using UnitsNet;

namespace Rig.Service.Tests.Engine;

/// <summary>One simulated cell on a simulated SMU on a virtual clock: only the cell and the silicon are fake.</summary>
internal sealed class SimulatedRig
{
    public const double AreaCm2 = 0.785;

    private SimulatedRig(ICellElectrochemistry chemistry, double celsius, TimeSpan maxStep)
    {
        Chemistry = chemistry;
        Celsius = celsius;
        Cell = new SimulatedCell(chemistry, Time, () => Temperature.FromDegreesCelsius(celsius), seed: 7, maxStep: maxStep);
        Instrument = new SimulatedPotentiostatChannel(Cell, Time, "sim-smu:test");
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));

    public ICellElectrochemistry Chemistry { get; }

    public double Celsius { get; }

    public SimulatedCell Cell { get; }

    public SimulatedPotentiostatChannel Instrument { get; }

    public static SimulatedRig HalfCell(HalfCellParameters? parameters = null) =>
        new(new AnodeFreeHalfCell(AreaCm2, parameters ?? new HalfCellParameters()), 25, TimeSpan.FromSeconds(1));

    public static SimulatedRig FullCell(FullCellParameters parameters, double celsius = 40) =>
        new(new AnodeFreeFullCell(AreaCm2, parameters), celsius, TimeSpan.FromSeconds(1));

    public static SimulatedRig FullCell(TimeSpan maxStep, double celsius = 40) =>
        new(new AnodeFreeFullCell(AreaCm2, new FullCellParameters()), celsius, maxStep);

    public static string Preset(string name) =>
        new PresetLibrary().Text(name) ?? throw new InvalidOperationException($"preset {name} not found in {AppContext.BaseDirectory}");

    public CyclingEngine Start(string protocolText, IReadOnlyDictionary<string, string>? parameters = null, string channelId = "ch1", CellOptions? cell = null)
    {
        var plan = ProtocolCompiler.Compile(protocolText, parameters);
        var start = new TestStartRecord("test-1", "rig-test", channelId, Time.GetUtcNow(), cell ?? new CellOptions { AreaCm2 = AreaCm2 },
            plan.Name, protocolText, plan.Parameters, "test", null, null, null);
        return CyclingEngine.Start(plan, start, AreaCm2);
    }

    public AcceleratedRun Runner(TimeSpan samplePeriod) =>
        new(Instrument, Time.Advance, samplePeriod, () => Pressure.FromMegapascals(10), () => Temperature.FromDegreesCelsius(Celsius),
            () => Rig.Service.Channels.MonotonicTime.Now(Time));
}
