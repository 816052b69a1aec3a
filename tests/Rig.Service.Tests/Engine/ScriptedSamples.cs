using Rig.Service.Channels;
using Rig.Service.Engine;
using Rig.Service.Engine.Protocols;
using Rig.Service.Recording;
using Rig.Service.Configuration;
using UnitsNet;

namespace Rig.Service.Tests.Engine;

/// <summary>Feeds an engine hand-made samples: exact currents and voltages at exact times, to check its arithmetic to the last digit.</summary>
internal sealed class ScriptedSamples
{
    private static readonly DateTimeOffset Origin = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    public ScriptedSamples(string protocolText, double areaCm2 = 1.0)
    {
        var plan = ProtocolCompiler.Compile(protocolText, null);
        var start = new TestStartRecord("scripted", "rig-test", "ch1", Origin, new CellOptions { AreaCm2 = areaCm2 }, plan.Name, protocolText,
            plan.Parameters, "test", null, null, null);
        Engine = CyclingEngine.Start(plan, start, areaCm2);
    }

    public CyclingEngine Engine { get; set; }

    /// <summary>Monotonic time of the next sample.</summary>
    public TimeSpan Monotonic { get; set; }

    /// <summary>Wall time of the next sample (may jump).</summary>
    public DateTimeOffset Wall { get; set; } = Origin;

    public bool OutputOn { get; set; }

    public List<EngineCommand> Commands { get; } = [];

    public List<CycleSummary> Cycles { get; } = [];

    /// <summary>One sample at the current times, then both clocks move on by <paramref name="period"/>.</summary>
    public EngineCommand Sample(double volts, double amperes, TimeSpan period)
    {
        var command = Engine.OnSample(new ChannelSample("ch1", Wall, ElectricPotential.FromVolts(volts), ElectricCurrent.FromAmperes(amperes),
            OutputOn, false, null, null, null, Monotonic));
        if (command.Kind != EngineCommandKind.None)
        {
            OutputOn = command.Kind != EngineCommandKind.OutputOff;
        }
        Commands.Add(command);
        Cycles.AddRange(Engine.Outbox.Where(r => r.Cycle is not null).Select(r => r.Cycle!));
        Engine.Outbox.Clear();
        Monotonic += period;
        Wall += period;
        return command;
    }
}
