using Rig.Service.Engine.Protocols;
using Rig.Service.Hardware;
using UnitsNet;

namespace Rig.Service.Engine;

/// <summary>
/// The channel's time and capacity ceilings (<c>Rig:Channels:&lt;id&gt;:Limits</c>: MaxStepDuration, MaxTestDuration,
/// MaxStepCapacityMilliampHours) and the capacity a step can reach at all, checked with the other ceilings before a
/// test starts (<see cref="ProtocolFit"/>). Each refusal names the step's location in the protocol and the key.
/// </summary>
public static class ProtocolTimeCeilings
{
    /// <summary>Null when the plan keeps within them; otherwise the first that it does not.</summary>
    public static string? Problem(ProtocolPlan plan, ChannelHardware channel)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(channel);
        var limits = channel.Options.Limits;
        var key = $"Rig:Channels:{channel.Id}:Limits";
        foreach (var instruction in plan.Instructions)
        {
            if (instruction.Step is not { } step)
            {
                continue;
            }
            var timeout = TimeOf(step);
            if (limits.MaxStepDuration is { } maxStep && timeout > maxStep)
            {
                return $"{instruction.Location} \"{step.Text}\": may run {Describe(timeout)} (its time-out), beyond this channel's ceiling {key}:MaxStepDuration ({Describe(maxStep)}); give the step a shorter 'timeout' or the protocol a shorter 'stepTimeout'";
            }
            if (step.Capacity is not { } amount)
            {
                continue;
            }
            var capacity = amount.Resolve(channel.CellArea);
            if (limits.MaxStepCapacityMilliampHours is { } maxCapacity && capacity.MilliampereHours > maxCapacity)
            {
                return $"{instruction.Location} \"{step.Text}\": {capacity.MilliampereHours:0.###} mAh on this cell is beyond this channel's ceiling {key}:MaxStepCapacityMilliampHours ({maxCapacity} mAh)";
            }
            // At a constant current the step cannot pass more than current × time-out: a larger capacity would never
            // end the step, only its time-out would (a fault), hours later.
            var rising = step.CurrentRisePerCycle is { } rise && rise.Resolve(channel.CellArea) > ElectricCurrent.Zero;
            if (step.Current is { } current && !rising)
            {
                var reachable = ElectricCharge.FromAmpereHours(current.Resolve(channel.CellArea).Amperes * timeout.TotalHours);
                if (capacity > reachable)
                {
                    return $"{instruction.Location} \"{step.Text}\": {capacity.MilliampereHours:0.###} mAh on this cell cannot be reached at {current.Resolve(channel.CellArea).Milliamperes:0.###} mA within the step's time-out of {Describe(timeout)} (at most {reachable.MilliampereHours:0.###} mAh); the step would only end by faulting";
                }
            }
        }
        if (limits.MaxTestDuration is { } maxTest)
        {
            var (worst, longest) = WorstCase(plan);
            if (worst > maxTest)
            {
                return $"the protocol may run up to {Describe(worst)} (every step to its time-out, every loop to its repeat count; most of it in {longest}), beyond this channel's ceiling {key}:MaxTestDuration ({Describe(maxTest)}); shorten time-outs or repeat counts";
            }
        }
        return null;
    }

    /// <summary>How long the plan may run at worst, and the top-level step or loop that contributes most.</summary>
    public static (TimeSpan Worst, string Longest) WorstCase(ProtocolPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        // Hours in double: a year of time-outs times a thousand repeats must not overflow a TimeSpan.
        var multiplier = new Stack<double>();
        multiplier.Push(1);
        double total = 0, topLevel = 0, longestHours = -1;
        var longest = "";
        string? openTop = null;
        foreach (var instruction in plan.Instructions)
        {
            switch (instruction.Kind)
            {
                case InstructionKind.LoopStart:
                    if (instruction.Depth == 0)
                    {
                        openTop = instruction.Location;
                        topLevel = 0;
                    }
                    multiplier.Push(multiplier.Peek() * Math.Max(1, instruction.Repeat));
                    break;
                case InstructionKind.LoopEnd:
                    multiplier.Pop();
                    if (instruction.Depth == 0 && topLevel > longestHours)
                    {
                        (longestHours, longest) = (topLevel, openTop ?? instruction.Location);
                    }
                    break;
                default:
                    var hours = TimeOf(instruction.Step!).TotalHours * multiplier.Peek();
                    total += hours;
                    if (instruction.Depth > 0)
                    {
                        topLevel += hours;
                    }
                    else if (hours > longestHours)
                    {
                        (longestHours, longest) = (hours, instruction.Location);
                    }
                    break;
            }
        }
        var worst = total >= TimeSpan.MaxValue.TotalHours ? TimeSpan.MaxValue : TimeSpan.FromHours(total);
        return (worst, longest);
    }

    private static TimeSpan TimeOf(StepDefinition step) => step.Timeout ?? step.Duration ?? TimeSpan.Zero;

    private static string Describe(TimeSpan span) =>
        span == TimeSpan.MaxValue ? "forever" : span.TotalHours >= 48 ? $"{span.TotalDays:0.#} d" : span.TotalMinutes >= 120 ? $"{span.TotalHours:0.#} h" : $"{span.TotalMinutes:0.#} min";
}
