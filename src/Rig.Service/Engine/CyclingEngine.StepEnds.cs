using Rig.Service.Control;
using Rig.Service.Engine.Protocols;
using UnitsNet;

namespace Rig.Service.Engine;

public sealed partial class CyclingEngine
{
    /// <summary>
    /// The current step's end conditions with the engine's own progress toward them (the resolved capacity target, the
    /// step's charge and time), so a dashboard need not parse the step's text. Null outside a test or between steps.
    /// </summary>
    public StepEnds? CurrentStepEnds()
    {
        if (State.State is not (RunState.Running or RunState.Paused or RunState.Interrupted)
            || State.Instruction < 0 || State.Instruction >= Plan.Instructions.Count
            || Plan.Instructions[State.Instruction].Step is not { } step)
        {
            return null;
        }
        ElectricCharge? capacity = null;
        if (step.IsConstantCurrent && (step.Capacity is not null || step.PlatePreviousStrip))
        {
            // Once the step is entered the engine has resolved its target (capacity-retention mode: the previous strip).
            capacity = !State.StepFresh && State.StepTargetAmpSeconds > 0
                ? ElectricCharge.FromAmpereHours(State.StepTargetAmpSeconds / SecondsPerHour)
                : step.Capacity?.Resolve(_area);
        }
        var ends = new StepEnds
        {
            Capacity = capacity,
            CapacityPassed = ElectricCharge.FromAmpereHours(Math.Abs(State.StepAmpSeconds) / SecondsPerHour),
            CapacityPerArea = step.Capacity?.Areal is not null,
            Duration = step.Duration,
            StepTime = TimeSpan.FromSeconds(State.StepSeconds),
            Voltage = step.IsConstantCurrent ? step.VoltageLimit : step.Kind == StepKind.Sweep ? step.Voltage : null,
            VoltageRising = step.IsConstantCurrent && step.VoltageLimit is not null ? step.CurrentSign > 0 : null,
            CurrentFloor = step.CurrentLimit?.Resolve(_area),
            CurrentPerArea = step.CurrentLimit?.Density is not null,
            Area = _area,
        };
        return ends.IsEmpty ? null : ends;
    }
}
