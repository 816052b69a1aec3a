using Rig.Service.Engine.Protocols;
using UnitsNet;

namespace Rig.Service.Engine;

/// <summary>How far a test has to go, for the dashboards' "cycle m of n, about 3 h left".</summary>
/// <param name="CyclesPlanned">Cycles the plan runs if no loop ends early; null when the plan closes none.</param>
/// <param name="TimeLeft">Null when some step still to run has no knowable length (e.g. "until 2 V" before it has run once).</param>
/// <param name="TimeLeftEstimated">
/// True when part of <paramref name="TimeLeft"/> is a step's last measured length, or a step or loop may end earlier
/// than planned (a voltage limit, "until retention &lt; 50 %", "until short"); false when every step ends on time or on
/// a fixed charge at a fixed current.
/// </param>
public sealed record ProtocolProgress(int? CyclesPlanned, TimeSpan? TimeLeft, bool TimeLeftEstimated)
{
    // Walking a plan visits each remaining step once per iteration: 1000 cycles of 3 steps is 3000 visits. A plan
    // larger than this is not worth estimating every few seconds.
    private const int MaxVisits = 200_000;

    /// <summary>Progress of <paramref name="state"/>'s test through <paramref name="plan"/>.</summary>
    public static ProtocolProgress Of(ProtocolPlan plan, EngineState state)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(state);
        var area = Area.FromSquareCentimeters(state.CellAreaSquareCentimetres);
        var cycles = 0;
        var visits = Walk(plan, 0, new int[plan.MaxDepth], (step, _, _) => cycles += ClosesCycle(step) ? 1 : 0);
        int? planned = visits is null || cycles == 0 ? null : cycles;
        if (state.State is not (Control.RunState.Running or Control.RunState.Paused or Control.RunState.Interrupted))
        {
            return new ProtocolProgress(planned, null, false);
        }
        var seconds = 0.0;
        var estimated = false;
        var knowable = true;
        var start = Math.Max(0, state.Instruction);
        var iterations = (int[])state.LoopIterations.Clone();
        if (iterations.Length < plan.MaxDepth)
        {
            Array.Resize(ref iterations, plan.MaxDepth);
        }
        var first = true;
        var walked = Walk(plan, start, iterations, (step, instruction, iteration) =>
        {
            // Only the first visit is the step in progress; the same instruction in later iterations runs whole.
            var current = first && instruction == state.Instruction && !state.StepFresh;
            first = false;
            var length = StepSeconds(step, instruction, iteration, state, area, current, ref estimated);
            if (length is { } s)
            {
                seconds += s;
            }
            else
            {
                knowable = false;
            }
        });
        estimated |= plan.Instructions.Any(i => i.Kind == InstructionKind.LoopEnd && i.EndConditions.Count > 0);
        return walked is null || !knowable
            ? new ProtocolProgress(planned, null, false)
            : new ProtocolProgress(planned, TimeSpan.FromSeconds(Math.Max(0, seconds)), estimated);
    }

    private static bool ClosesCycle(StepDefinition step) => step.Kind is StepKind.Strip or StepKind.Discharge;

    /// <summary>The seconds a step takes (the rest of it, for the step in progress); null when unknowable.</summary>
    private static double? StepSeconds(StepDefinition step, int instruction, int iteration, EngineState state, Area area, bool inProgress, ref bool estimated)
    {
        double? measured = state.LastStepSeconds.TryGetValue(instruction, out var last) ? last : null;
        double? planned = null;
        var exact = true;
        if (step.IsConstantCurrent && step.Capacity is { } capacity && step.Current is { } current)
        {
            var amperes = current.Resolve(area).Amperes + (step.CurrentRisePerCycle is { } rise ? rise.Resolve(area).Amperes * iteration : 0);
            var targetAmpSeconds = inProgress && state.StepTargetAmpSeconds > 0 ? state.StepTargetAmpSeconds : capacity.Resolve(area).AmpereHours * 3600.0;
            if (amperes > 0)
            {
                planned = (targetAmpSeconds - (inProgress ? state.StepAmpSeconds : 0)) / amperes + (inProgress ? state.StepSeconds : 0);
            }
            // "then what was stripped" and "or until 2 V" can end it at another charge than written.
            exact = !step.PlatePreviousStrip && step.VoltageLimit is null;
            if (step.PlatePreviousStrip && measured is not null && !inProgress)
            {
                planned = measured;
            }
        }
        else if (step.Kind == StepKind.Sweep && step.SweepRate is { } rate && rate.VoltsPerSeconds > 0)
        {
            double? from = step.SweepStart?.Volts ?? (inProgress ? state.SweepStartVolts : null);
            planned = from is { } v ? Math.Abs(step.Voltage!.Value.Volts - v) / rate.VoltsPerSeconds : measured;
            exact = from is not null && step.CurrentLimit is null;
        }
        if (step.Duration is { } duration)
        {
            planned = planned is { } p ? Math.Min(p, duration.TotalSeconds) : duration.TotalSeconds;
            exact &= step.Kind == StepKind.Rest || (step.CurrentLimit is null && step.VoltageLimit is null);
        }
        else if (planned is null)
        {
            planned = measured;
            exact = false;
        }
        if (planned is not { } total)
        {
            return null;
        }
        estimated |= !exact;
        return inProgress ? Math.Max(0, total - state.StepSeconds) : total;
    }

    /// <summary>
    /// Visits every step from <paramref name="instruction"/> to the end as the engine would run them, every loop to its
    /// full repeat count (end conditions are unknowable ahead). Returns the visit count, or null past <see cref="MaxVisits"/>.
    /// </summary>
    private static int? Walk(ProtocolPlan plan, int instruction, int[] iterations, Action<StepDefinition, int, int> visit)
    {
        var visits = 0;
        var instructions = plan.Instructions;
        while (instruction < instructions.Count)
        {
            var current = instructions[instruction];
            switch (current.Kind)
            {
                case InstructionKind.Step:
                    if (++visits > MaxVisits)
                    {
                        return null;
                    }
                    visit(current.Step!, instruction, current.Depth == 0 ? 0 : iterations[current.Depth - 1]);
                    instruction++;
                    break;
                case InstructionKind.LoopStart:
                    iterations[current.Depth] = 0;
                    instruction++;
                    break;
                default:
                    if (iterations[current.Depth] + 1 >= current.Repeat)
                    {
                        instruction++;
                    }
                    else
                    {
                        iterations[current.Depth]++;
                        instruction = current.Partner + 1;
                    }
                    break;
            }
        }
        return visits;
    }
}
