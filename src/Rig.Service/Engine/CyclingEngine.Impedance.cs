using Rig.Service.Channels;
using Rig.Service.Control;
using Rig.Service.Engine.Protocols;
using UnitsNet;

namespace Rig.Service.Engine;

/// <summary>
/// Impedance steps. The engine does no I/O, so it only positions: entering the step turns the SMU's output off and
/// the step then waits, recording samples (the cell at open circuit) and checking safety, until the impedance runner
/// reports the sweep done (<see cref="CompleteImpedance"/>) or a fault pauses the test. Nothing about the sweep is
/// checkpointed: after a restart the step is entered again and the sweep runs again from its first frequency.
/// </summary>
public sealed partial class CyclingEngine
{
    /// <summary>The impedance sweep the current step is waiting for, or null when the test is not in one.</summary>
    public ImpedanceRequest? PendingImpedance
    {
        get
        {
            if (State.State != RunState.Running || State.NeedsCommand || State.Instruction < 0 || State.Instruction >= Plan.Instructions.Count
                || Plan.Instructions[State.Instruction].Step is not { Kind: StepKind.Impedance, Impedance: { } sweep } step)
            {
                return null;
            }
            var biased = step.ImpedanceAtOcv ? sweep with { Bias = ElectricPotential.FromVolts(State.SweepStartVolts) } : sweep;
            return new ImpedanceRequest(State.TestId, State.ChannelId, State.Instruction, State.Cycle, step.Text, biased);
        }
    }

    /// <summary>The sweep of step <paramref name="instruction"/> is measured and stored: move on. False when the test is elsewhere by now.</summary>
    public bool CompleteImpedance(int instruction, DateTimeOffset now)
    {
        if (PendingImpedance is not { } pending || pending.Instruction != instruction)
        {
            return false;
        }
        State.LastStepSeconds[State.Instruction] = State.StepSeconds;
        MoveTo(State.Instruction + 1, now);
        return true;
    }

    /// <summary>An "every N cycles" impedance step on an iteration it skips: straight on to the next step.</summary>
    private EngineCommand SkipImpedance(in ChannelSample sample)
    {
        State.StepFresh = false;
        if (!MoveTo(State.Instruction + 1, sample.Timestamp))
        {
            return EngineCommand.Off;
        }
        return EnterStep(Plan.Instructions[State.Instruction].Step!, sample);
    }
}
