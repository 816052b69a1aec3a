using Rig.Service.Configuration;

namespace Rig.Service.Engine.Protocols;

public enum InstructionKind
{
    Step,
    LoopStart,
    LoopEnd,
}

/// <summary>
/// One instruction of a compiled protocol. Loops compile to a start/end pair that point at each other, so the
/// engine's position is just an instruction index plus one iteration counter per nesting depth.
/// </summary>
public sealed record PlanInstruction(
    InstructionKind Kind,
    string Location,
    int Depth,
    StepDefinition? Step = null,
    int Repeat = 0,
    IReadOnlyList<LoopEndCondition>? Until = null,
    int Partner = -1)
{
    public IReadOnlyList<LoopEndCondition> EndConditions => Until ?? [];
}

/// <summary>A protocol ready to run: instructions, safety block and metadata. Immutable; one per test.</summary>
public sealed record ProtocolPlan(
    string Name,
    string Text,
    IReadOnlyDictionary<string, string> Parameters,
    SafetyLimits Safety,
    int FormationCycles,
    CellChemistry? Chemistry,
    IReadOnlyList<PlanInstruction> Instructions)
{
    public int MaxDepth { get; } = Instructions.Count == 0 ? 0 : Instructions.Max(i => i.Depth) + 1;

    /// <summary>True when a short is an expected end (a CCD ramp), not a fault.</summary>
    public bool ShortIsExpected(int instruction)
    {
        // A short ends the test either way; it is a normal end only inside a loop that lists it.
        for (var i = instruction; i >= 0; i--)
        {
            var candidate = Instructions[i];
            if (candidate.Kind == InstructionKind.LoopStart && candidate.Partner > instruction
                && candidate.EndConditions.Any(c => c.Kind == LoopEndKind.Short))
            {
                return true;
            }
        }
        return false;
    }
}
