using Rig.Service.Channels;
using Rig.Service.Engine.Protocols;
using Rig.Service.Metrics;
using UnitsNet;

namespace Rig.Service.Engine;

/// <summary>
/// Charge and energy bookkeeping (docs/metrics.md): trapezoid rule on I and on V·I over each interval between two
/// samples of a step, on the monotonic clock; and capacity steps that end on their target instead of past it.
/// </summary>
public sealed partial class CyclingEngine
{
    // A capacity step is done once within this fraction of its target (floating-point rounding of a sum of intervals).
    private const double TargetTolerance = 1e-9;

    private void Integrate(StepDefinition step, in ChannelSample sample)
    {
        var seconds = State.HasPreviousSample ? (sample.Monotonic - State.PreviousSampleMonotonic).TotalSeconds : 0;
        var counted = State.HasPreviousSample ? CountedAmpereSeconds(sample) : null;
        State.PreviousSampleMonotonic = sample.Monotonic;
        State.PreviousSourcedAmpereSeconds = sample.SourcedCharge?.Coulombs;
        State.HasPreviousSample = true;
        var amperes = sample.Current.Amperes;
        var watts = amperes * sample.Voltage.Volts;
        var leftAmperes = State.LastCurrentAmperes ?? amperes;
        var leftWatts = State.LastPowerWatts ?? watts;
        State.LastCurrentAmperes = amperes;
        State.LastPowerWatts = watts;
        if (seconds <= 0 || !double.IsFinite(seconds))
        {
            return;
        }
        State.LastIntervalSeconds = seconds;
        var ampSeconds = counted ?? Trapezoid.Charge(leftAmperes, amperes, seconds);
        var joules = Trapezoid.Energy(leftWatts, watts, seconds);
        State.StepSeconds += seconds;
        State.TestSeconds += seconds;
        State.StepAmpSeconds += ampSeconds;
        var half = HalfOf(step);
        if (half == CycleHalf.Charge)
        {
            State.CycleChargeAmpSeconds += ampSeconds;
            State.CycleChargeJoules += joules;
        }
        else if (half == CycleHalf.Discharge)
        {
            State.CycleDischargeAmpSeconds += ampSeconds;
            State.CycleDischargeJoules += joules;
        }
        if (step.Kind == StepKind.Hold && half == CycleHalf.Charge)
        {
            State.CvHoldAmpSeconds += ampSeconds;
            State.CvHoldSeconds += seconds;
        }
        if (sample.StackPressure is { } pressure)
        {
            State.PressureSumMegapascals += pressure.Megapascals;
            State.PressureCount++;
        }
        if (sample.Temperature is { } temperature)
        {
            State.TemperatureSumCelsius += temperature.DegreesCelsius;
            State.TemperatureCount++;
        }
    }

    /// <summary>
    /// The interval's charge from the instrument's own count, when it keeps one at both ends: exact where the current
    /// changed inside the interval (a strip whose electrode runs empty before the sample that sees the cut-off, which
    /// the trapezoid over- or under-counts by up to half a period's charge and capacity-retention mode then plates
    /// again). Null when either end has no count, or the count moved more than the instrument's range could pass in
    /// the interval (a restarted counter), so the trapezoid decides.
    /// </summary>
    private double? CountedAmpereSeconds(in ChannelSample sample)
    {
        if (sample.SourcedCharge is not { } now || State.PreviousSourcedAmpereSeconds is not { } before)
        {
            return null;
        }
        var counted = Math.Abs(now.Coulombs - before);
        var seconds = (sample.Monotonic - State.PreviousSampleMonotonic).TotalSeconds;
        return double.IsFinite(counted) && counted <= _maxCurrentAmperes * seconds * 1.01 + 1e-12 ? counted : null;
    }

    private bool TargetReached() =>
        State.StepTargetAmpSeconds > 0 && State.StepAmpSeconds >= State.StepTargetAmpSeconds * (1 - TargetTolerance);

    /// <summary>
    /// A capacity step whose target falls before the next sample sources, for that last interval, just the current
    /// that lands on the target at the next sample (remaining charge over one sample period), so the step passes its
    /// target exactly whatever the sample period instead of overshooting by up to one period's charge (which the
    /// capacity-retention mode would carry into every later cycle). Null when the step's own current is right.
    /// </summary>
    private EngineCommand? TrimmedToTarget(StepDefinition step)
    {
        if (!step.IsConstantCurrent || State.StepTargetAmpSeconds <= 0 || State.LastIntervalSeconds <= 0 || TargetReached())
        {
            return null;
        }
        var remaining = State.StepTargetAmpSeconds - State.StepAmpSeconds;
        var full = Math.Abs(State.StepCurrentAmperes);
        if (remaining >= full * State.LastIntervalSeconds)
        {
            return null;
        }
        var trimmed = Math.Sign(State.StepCurrentAmperes) * remaining / State.LastIntervalSeconds;
        // The new current flows from now: it is the left end of the next interval (its voltage is not yet known).
        State.LastCurrentAmperes = trimmed;
        State.LastPowerWatts = null;
        return EngineCommand.CurrentWith(ElectricCurrent.FromAmperes(trimmed), ElectricPotential.FromVolts(ComplianceFor(step)));
    }
}
