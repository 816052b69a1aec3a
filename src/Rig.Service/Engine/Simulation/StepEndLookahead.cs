using Rig.Drivers.Cells;
using Rig.Drivers.Potentiostats;
using Rig.Service.Control;
using UnitsNet;

namespace Rig.Service.Engine.Simulation;

/// <summary>
/// A dry run samples every 10 s, but the rig samples every second: a step the rig ends at its first sample past a
/// cut-off, the coarse twin would end up to 9 s later, passing up to 9 s more charge. At 1 mA/cm² that is 0.26 % of a
/// cycle's capacity, enough to move cycles-to-80 % by a cycle or two. So the twin looks ahead: when the coarse sample
/// would end the step (the same limits the engine checks: duration, voltage limit of a constant-current step, current
/// floor), it is rewound and the period is sampled again on the rig's grid, and the step ends where the rig's would.
/// </summary>
internal sealed class StepEndLookahead : IStepEndLookahead
{
    private readonly SimulatedCell _cell;
    private readonly VirtualClock _clock;
    private readonly Area _area;
    private SimulatedCellMark _mark;
    private DateTimeOffset _markedAt;

    public StepEndLookahead(SimulatedCell cell, VirtualClock clock, Area area, TimeSpan finePeriod)
    {
        _cell = cell;
        _clock = clock;
        _area = area;
        FinePeriod = finePeriod;
    }

    public TimeSpan FinePeriod { get; }

    public void Mark()
    {
        _mark = _cell.Mark();
        _markedAt = _clock.GetUtcNow();
    }

    public void Rewind()
    {
        _cell.Rewind(_mark);
        _clock.Rewind(_markedAt);
    }

    public bool WouldEndStep(CyclingEngine engine, PotentiostatReading reading, TimeSpan period)
    {
        var state = engine.State;
        if (state.State != RunState.Running || state.NeedsCommand || state.Instruction < 0 || state.Instruction >= engine.Plan.Instructions.Count
            || engine.Plan.Instructions[state.Instruction].Step is not { } step)
        {
            return false;
        }
        // A duration the coarse sample lands on exactly needs no finer look; one it overshoots does.
        if (step.Duration is { } duration && state.StepSeconds + period.TotalSeconds > duration.TotalSeconds + 1e-6)
        {
            return true;
        }
        var volts = reading.Voltage.Volts;
        if (step.IsConstantCurrent && step.VoltageLimit is { } limit && (step.CurrentSign > 0 ? volts >= limit.Volts : volts <= limit.Volts))
        {
            return true;
        }
        return step.CurrentLimit is { } floor && Math.Abs(reading.Current.Amperes) < floor.Resolve(_area).Amperes;
    }
}
