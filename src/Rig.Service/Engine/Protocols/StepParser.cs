using Rig.Drivers.Quantities;
using UnitsNet;

namespace Rig.Service.Engine.Protocols;

/// <summary>
/// Reads lab-notebook step text (in the spirit of PyBaMM's experiment strings) into a <see cref="StepDefinition"/>:
/// <code>
/// Plate|Strip|Charge|Discharge at &lt;current&gt; [rising &lt;current&gt; per cycle] &lt;limits&gt;
/// Hold at &lt;voltage&gt; &lt;limits&gt; [report electronic conductivity]          Rest for &lt;time&gt;
/// Sweep from OCV|&lt;voltage&gt; to &lt;voltage&gt; at &lt;rate&gt; [&lt;limits&gt;]
/// limits: for &lt;time|capacity&gt; [then what was stripped] | until &lt;voltage|current&gt; | timeout &lt;time&gt;,
///         joined by "or", "and" or commas; the first one reached ends the step.
/// </code>
/// </summary>
public static class StepParser
{
    /// <summary>Parses one step; returns null and the problem when the text is not a step.</summary>
    public static StepDefinition? TryParse(string text, out string problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (ImpedanceStepParser.IsImpedance(text))
        {
            return ImpedanceStepParser.TryParse(text, out problem);
        }
        var words = Quantity.Tokenize(text);
        if (words.Count == 0)
        {
            problem = "empty step";
            return null;
        }
        StepKind kind;
        switch (words[0])
        {
            case "plate": kind = StepKind.Plate; break;
            case "strip": kind = StepKind.Strip; break;
            case "charge": kind = StepKind.Charge; break;
            case "discharge": kind = StepKind.Discharge; break;
            case "hold": kind = StepKind.Hold; break;
            case "rest": kind = StepKind.Rest; break;
            case "sweep": kind = StepKind.Sweep; break;
            default:
                problem = $"unknown step '{words[0]}' (known: Plate, Strip, Charge, Discharge, Hold, Rest, Sweep, Impedance)";
                return null;
        }
        var step = new StepDefinition { Kind = kind, Text = text.Trim() };
        var position = 1;
        problem = "";
        step = kind switch
        {
            StepKind.Hold => ReadHoldHead(step, words, ref position, out problem),
            StepKind.Rest => step,
            StepKind.Sweep => ReadSweepHead(step, words, ref position, out problem),
            _ => ReadCurrentHead(step, words, ref position, out problem),
        } ?? step;
        if (problem.Length > 0)
        {
            return null;
        }
        var limited = ReadLimits(step, words, ref position, out problem);
        if (limited is null)
        {
            return null;
        }
        problem = Check(limited);
        return problem.Length == 0 ? limited : null;
    }

    private static StepDefinition? ReadCurrentHead(StepDefinition step, List<string> words, ref int position, out string problem)
    {
        if (!Expect(words, ref position, "at", out problem) || !ReadCurrent(words, ref position, out var current, out problem))
        {
            return null;
        }
        step = step with { Current = current };
        if (position < words.Count && words[position] == "rising")
        {
            position++;
            if (!ReadCurrent(words, ref position, out var rise, out problem)
                || !Expect(words, ref position, "per", out problem) || !Expect(words, ref position, "cycle", out problem))
            {
                return null;
            }
            step = step with { CurrentRisePerCycle = rise };
        }
        return step;
    }

    private static StepDefinition? ReadHoldHead(StepDefinition step, List<string> words, ref int position, out string problem)
    {
        if (!Expect(words, ref position, "at", out problem) || !ReadVoltage(words, ref position, out var voltage, out problem))
        {
            return null;
        }
        return step with { Voltage = voltage };
    }

    private static StepDefinition? ReadSweepHead(StepDefinition step, List<string> words, ref int position, out string problem)
    {
        if (!Expect(words, ref position, "from", out problem))
        {
            return null;
        }
        ElectricPotential? start = null;
        if (position < words.Count && words[position] == "ocv")
        {
            position++;
        }
        else if (ReadVoltage(words, ref position, out var from, out problem))
        {
            start = from;
        }
        else
        {
            return null;
        }
        if (!Expect(words, ref position, "to", out problem) || !ReadVoltage(words, ref position, out var to, out problem)
            || !Expect(words, ref position, "at", out problem))
        {
            return null;
        }
        if (!Quantity.TryRead(words, ref position, out var rate, out problem))
        {
            return null;
        }
        if (rate.Kind != QuantityKind.SweepRate)
        {
            problem = "a sweep rate must be in mV/s or V/s";
            return null;
        }
        return step with { SweepStart = start, Voltage = to, SweepRate = ElectricPotentialChangeRate.FromVoltsPerSeconds(rate.Magnitude) };
    }

    private static StepDefinition? ReadLimits(StepDefinition step, List<string> words, ref int position, out string problem)
    {
        problem = "";
        while (position < words.Count)
        {
            var word = words[position++];
            if (word is "or" or "and")
            {
                continue;
            }
            switch (word)
            {
                case "for":
                    if (!Quantity.TryRead(words, ref position, out var amount, out problem))
                    {
                        return null;
                    }
                    if (amount.Kind == QuantityKind.Duration)
                    {
                        step = step with { Duration = TimeSpan.FromSeconds(amount.Magnitude) };
                    }
                    else if (amount.Kind == QuantityKind.ArealCapacity)
                    {
                        step = step with { Capacity = CapacityAmount.Of(ArealCapacity.FromMilliampHoursPerSquareCentimetre(amount.Magnitude)) };
                    }
                    else if (amount.Kind == QuantityKind.Charge)
                    {
                        step = step with { Capacity = CapacityAmount.Of(ElectricCharge.FromMilliampereHours(amount.Magnitude)) };
                    }
                    else
                    {
                        problem = "'for' takes a time (s, min, h) or a capacity (mAh/cm2, mAh)";
                        return null;
                    }
                    break;
                case "until":
                    if (!Quantity.TryRead(words, ref position, out var bound, out problem))
                    {
                        return null;
                    }
                    if (bound.Kind == QuantityKind.Voltage)
                    {
                        step = step with { VoltageLimit = ElectricPotential.FromVolts(bound.Magnitude) };
                    }
                    else if (ToCurrent(bound) is { } current)
                    {
                        step = step with { CurrentLimit = current };
                    }
                    else
                    {
                        problem = "'until' takes a voltage (V, mV) or a current (mA/cm2, mA)";
                        return null;
                    }
                    break;
                case "timeout":
                    if (!Quantity.TryRead(words, ref position, out var timeout, out problem))
                    {
                        return null;
                    }
                    if (timeout.Kind != QuantityKind.Duration)
                    {
                        problem = "'timeout' takes a time (s, min, h)";
                        return null;
                    }
                    step = step with { Timeout = TimeSpan.FromSeconds(timeout.Magnitude) };
                    break;
                case "report":
                    if (!ExpectWords(words, ref position, ["electronic", "conductivity"], out problem))
                    {
                        return null;
                    }
                    step = step with { ReportsElectronicConductivity = true };
                    break;
                case "then":
                    if (!ExpectWords(words, ref position, ["what", "was", "stripped"], out problem))
                    {
                        return null;
                    }
                    step = step with { PlatePreviousStrip = true };
                    break;
                default:
                    problem = $"unexpected '{word}' (limits start with 'for', 'until', 'timeout' or 'then what was stripped'; a hold may add 'report electronic conductivity')";
                    return null;
            }
        }
        return step;
    }

    // What a parsed step must make sense of before it may run.
    private static string Check(StepDefinition step)
    {
        var hasEnd = step.Capacity is not null || step.VoltageLimit is not null || step.Duration is not null || step.CurrentLimit is not null;
        if (step.IsConstantCurrent)
        {
            if (step.Current is { } c && (c.Density?.MilliampsPerSquareCentimetre ?? c.Absolute!.Value.Milliamperes) <= 0)
            {
                return "give the current as a positive magnitude: the step's name sets its direction";
            }
            if (step.CurrentLimit is not null)
            {
                return "a constant-current step cannot end on a current; use 'until <voltage>' or 'for <capacity|time>'";
            }
            if (!hasEnd)
            {
                return "needs an end: 'for <capacity>', 'for <time>' or 'until <voltage>'";
            }
        }
        if (step.PlatePreviousStrip && (!step.IsPlating || step.Capacity is null))
        {
            return "'then what was stripped' needs a Plate or Charge step with 'for <capacity>' for its first cycle";
        }
        if (step.CurrentRisePerCycle is not null && !step.IsConstantCurrent)
        {
            return "'rising ... per cycle' is for constant-current steps";
        }
        if (step.ReportsElectronicConductivity
            && (step.Kind != StepKind.Hold || step.Duration is null || step.CurrentLimit is not null || step.Voltage is not { Volts: not 0 }))
        {
            return "'report electronic conductivity' is for a DC polarization: a hold at a non-zero voltage for a fixed time (e.g. 'Hold at 50 mV for 300 s')";
        }
        switch (step.Kind)
        {
            case StepKind.Hold when step.CurrentLimit is null && step.Duration is null:
                return "a hold needs 'until <current>' or 'for <time>'";
            case StepKind.Hold when step.Capacity is not null || step.VoltageLimit is not null:
                return "a hold ends on a current or a time";
            case StepKind.Rest when step.Duration is null:
                return "a rest needs 'for <time>'";
            case StepKind.Rest when step.Capacity is not null || step.VoltageLimit is not null || step.CurrentLimit is not null:
                return "a rest ends on time only";
            case StepKind.Sweep when step.SweepRate is { } rate && rate.VoltsPerSeconds <= 0:
                return "the sweep rate must be positive";
        }
        if (step.Duration is { } d && d <= TimeSpan.Zero)
        {
            return "a duration must be positive";
        }
        // A step that can never reach its end runs into the 48 h time-out instead: refuse it here.
        if (step.Capacity is { } capacity && (capacity.Areal?.MilliampHoursPerSquareCentimetre ?? capacity.Absolute!.Value.MilliampereHours) <= 0)
        {
            return "a capacity must be positive";
        }
        if (step.CurrentRisePerCycle is { } rise && (rise.Density?.MilliampsPerSquareCentimetre ?? rise.Absolute!.Value.Milliamperes) < 0)
        {
            return "'rising ... per cycle' must not be negative (a falling current would turn the step around)";
        }
        if (step.CurrentLimit is { } limit && (limit.Density?.MilliampsPerSquareCentimetre ?? limit.Absolute!.Value.Milliamperes) <= 0)
        {
            return "'until <current>' must be a positive magnitude";
        }
        if (step.Timeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            return "a time-out must be positive";
        }
        if (step.Timeout is { } t && step.Duration is { } duration && t < duration)
        {
            return "the time-out is shorter than the step's own duration";
        }
        return "";
    }

    private static CurrentAmount? ToCurrent(Quantity quantity) => quantity.Kind switch
    {
        QuantityKind.CurrentDensity => CurrentAmount.Of(CurrentDensity.FromMilliampsPerSquareCentimetre(quantity.Magnitude)),
        QuantityKind.Current => CurrentAmount.Of(ElectricCurrent.FromMilliamperes(quantity.Magnitude)),
        _ => null,
    };

    private static bool ReadCurrent(List<string> words, ref int position, out CurrentAmount current, out string problem)
    {
        current = default;
        if (!Quantity.TryRead(words, ref position, out var quantity, out problem))
        {
            return false;
        }
        if (ToCurrent(quantity) is not { } amount)
        {
            problem = "expected a current (mA/cm2, mA, A)";
            return false;
        }
        current = amount;
        return true;
    }

    private static bool ReadVoltage(List<string> words, ref int position, out ElectricPotential voltage, out string problem)
    {
        voltage = default;
        if (!Quantity.TryRead(words, ref position, out var quantity, out problem))
        {
            return false;
        }
        if (quantity.Kind != QuantityKind.Voltage)
        {
            problem = "expected a voltage (V, mV)";
            return false;
        }
        voltage = ElectricPotential.FromVolts(quantity.Magnitude);
        return true;
    }

    private static bool Expect(List<string> words, ref int position, string word, out string problem)
    {
        if (position < words.Count && words[position] == word)
        {
            position++;
            problem = "";
            return true;
        }
        problem = position < words.Count ? $"expected '{word}', found '{words[position]}'" : $"expected '{word}' at the end";
        return false;
    }

    private static bool ExpectWords(List<string> words, ref int position, string[] expected, out string problem)
    {
        foreach (var word in expected)
        {
            if (!Expect(words, ref position, word, out problem))
            {
                return false;
            }
        }
        problem = "";
        return true;
    }
}
