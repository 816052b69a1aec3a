using Rig.Service.Engine.Protocols;

namespace Rig.Service.Engine;

/// <summary>
/// Whether a checkpoint's numbers can be resumed: finite, not negative where they count time or charge, and a
/// position inside the plan. A checkpoint is our own file, but a disk, an editor or an older version can leave it
/// wrong, and UnitsNet throws on NaN deep inside the channel loop.
/// </summary>
public static class CheckpointValues
{
    /// <summary>Null when the values are usable, else the first problem.</summary>
    public static string? Problem(EngineState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (string.IsNullOrWhiteSpace(state.TestId) || string.IsNullOrWhiteSpace(state.ProtocolText))
        {
            return "the checkpoint has no test id or protocol text";
        }
        if (!double.IsFinite(state.CellAreaSquareCentimetres) || state.CellAreaSquareCentimetres <= 0 || state.CellAreaSquareCentimetres > 100)
        {
            return $"cell area {state.CellAreaSquareCentimetres} cm² is not a cell's";
        }
        (string Name, double Value, bool NonNegative)[] numbers =
        [
            (nameof(state.TestSeconds), state.TestSeconds, true), (nameof(state.StepSeconds), state.StepSeconds, true),
            (nameof(state.StepAmpSeconds), state.StepAmpSeconds, false), (nameof(state.StepTargetAmpSeconds), state.StepTargetAmpSeconds, false),
            (nameof(state.StepCurrentAmperes), state.StepCurrentAmperes, false), (nameof(state.SweepStartVolts), state.SweepStartVolts, false),
            (nameof(state.LastCurrentAmperes), state.LastCurrentAmperes ?? 0, false), (nameof(state.LastPowerWatts), state.LastPowerWatts ?? 0, false),
            (nameof(state.CycleChargeAmpSeconds), state.CycleChargeAmpSeconds, false), (nameof(state.CycleDischargeAmpSeconds), state.CycleDischargeAmpSeconds, false),
            (nameof(state.CycleChargeJoules), state.CycleChargeJoules, false), (nameof(state.CycleDischargeJoules), state.CycleDischargeJoules, false),
            (nameof(state.CvHoldAmpSeconds), state.CvHoldAmpSeconds, false), (nameof(state.CvHoldSeconds), state.CvHoldSeconds, true),
            (nameof(state.PressureSumMegapascals), state.PressureSumMegapascals, false), (nameof(state.TemperatureSumCelsius), state.TemperatureSumCelsius, false),
            (nameof(state.PreviousDischargeAmpSeconds), state.PreviousDischargeAmpSeconds, false),
            (nameof(state.CoulombicEfficiencySum), state.CoulombicEfficiencySum, false),
            (nameof(state.ReferenceDischargeAmpSeconds), state.ReferenceDischargeAmpSeconds, false),
            (nameof(state.InitialCoulombicEfficiency), state.InitialCoulombicEfficiency ?? 0, false), (nameof(state.Retention), state.Retention ?? 0, false),
            (nameof(state.CriticalCurrentDensityMilliampsPerSquareCentimetre), state.CriticalCurrentDensityMilliampsPerSquareCentimetre ?? 0, false),
            (nameof(state.SeparatorThicknessCentimetres), state.SeparatorThicknessCentimetres ?? 0, true),
            (nameof(state.PolarizationCurrentAmperes), state.PolarizationCurrentAmperes ?? 0, false),
            (nameof(state.PolarizationVolts), state.PolarizationVolts ?? 0, false),
            (nameof(state.PolarizationSeconds), state.PolarizationSeconds ?? 0, true),
        ];
        foreach (var (name, value, nonNegative) in numbers)
        {
            if (!double.IsFinite(value) || Math.Abs(value) > 1e15 || (nonNegative && value < 0))
            {
                return $"{name} = {value} is not a value a test can have";
            }
        }
        if (state.Cycle < 1 || state.Instruction < -1 || state.PressureCount < 0 || state.TemperatureCount < 0 || state.CoulombicEfficiencyCount < 0
            || state.LoopIterations is null || state.LoopIterations.Any(i => i < 0) || state.Parameters is null || state.LastStepSeconds is null
            || state.LastStepSeconds.Any(p => !double.IsFinite(p.Value) || p.Value < 0))
        {
            return "a counter or position in the checkpoint is negative or missing";
        }
        return null;
    }

    /// <summary>Null when the checkpoint's position lies inside <paramref name="plan"/>.</summary>
    public static string? Problem(EngineState state, ProtocolPlan plan)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(plan);
        if (state.Instruction >= plan.Instructions.Count || (state.Instruction >= 0 && plan.Instructions[state.Instruction].Step is null))
        {
            return $"step index {state.Instruction} is outside the protocol ({plan.Instructions.Count} instructions)";
        }
        return null;
    }
}
