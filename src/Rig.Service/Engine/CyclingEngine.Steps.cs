using Rig.Service.Channels;
using Rig.Service.Control;
using Rig.Service.Engine.Protocols;
using Rig.Service.Recording;
using UnitsNet;

namespace Rig.Service.Engine;

public sealed partial class CyclingEngine
{
    private const double SecondsPerHour = 3600.0;

    private EngineCommand EnterStep(StepDefinition step, in ChannelSample sample)
    {
        if (step.Kind == StepKind.Impedance && State.StepFresh && InnermostIteration() % step.Every != 0)
        {
            return SkipImpedance(sample);
        }
        var fresh = State.StepFresh;
        if (fresh)
        {
            State.StepFresh = false;
            var iteration = InnermostIteration();
            if (step.IsConstantCurrent)
            {
                var magnitude = step.Current!.Value.Resolve(_area).Amperes
                    + (step.CurrentRisePerCycle is { } rise ? rise.Resolve(_area).Amperes * iteration : 0);
                State.StepCurrentAmperes = step.CurrentSign * magnitude;
                State.LastConstantCurrentHalf = HalfOf(step);
                var target = step.Capacity is { } capacity ? capacity.Resolve(_area).MilliampereHours * SecondsPerHour / 1000.0 : 0;
                if (step.PlatePreviousStrip && State.PreviousDischargeAmpSeconds > 0)
                {
                    target = State.PreviousDischargeAmpSeconds;
                }
                State.StepTargetAmpSeconds = target;
            }
            if (step.Kind == StepKind.Sweep)
            {
                State.SweepStartVolts = step.SweepStart?.Volts ?? sample.Voltage.Volts;
            }
            if (step.Kind == StepKind.Impedance)
            {
                State.SweepStartVolts = sample.Voltage.Volts; // the OCV an "at OCV" sweep is biased at
            }
        }
        _detector.Reset();
        State.NeedsCommand = false;
        State.HasPreviousSample = true;
        State.PreviousSampleMonotonic = sample.Monotonic;
        State.PreviousSourcedAmpereSeconds = sample.SourcedCharge?.Coulombs;
        // The left end of the step's first interval: a constant-current step sources its set-point from now (its
        // voltage is not known until measured under it); a hold or sweep entered from the step before takes over the
        // current and voltage where it left them (CC to CV is continuous); a rest passes none; a hold re-entered on
        // resume starts from an output that was off, so nothing is known and the first interval takes its right end.
        (State.LastCurrentAmperes, State.LastPowerWatts) = step.IsConstantCurrent ? (State.StepCurrentAmperes, null)
            : step.Kind == StepKind.Rest ? (0.0, 0.0)
            : fresh ? (sample.Current.Amperes, sample.Current.Amperes * sample.Voltage.Volts)
            : ((double?)null, (double?)null);
        Record(sample, step, stepEnd: false);
        return TrimmedToTarget(step) ?? CommandFor(step);
    }

    // A rest sources zero current rather than turning the output off: an SMU with its output off (high impedance, relay
    // open) cannot measure, so the open-circuit voltage a rest must record (and an LSV "from OCV" starts at) is only
    // read with the output on at 0 A, as commercial cyclers rest. Off stays the safe state for pauses, faults and ends.
    private EngineCommand CommandFor(StepDefinition step) => step.Kind switch
    {
        StepKind.Rest => EngineCommand.CurrentWith(ElectricCurrent.Zero, ElectricPotential.FromVolts(_voltageComplianceVolts)),
        StepKind.Hold => EngineCommand.VoltageWith(step.Voltage!.Value, ElectricCurrent.FromAmperes(_maxCurrentAmperes)),
        StepKind.Sweep => EngineCommand.VoltageWith(ElectricPotential.FromVolts(SweepVolts(step)), ElectricCurrent.FromAmperes(_maxCurrentAmperes)),
        StepKind.Impedance => EngineCommand.Off, // the analyser measures; the SMU in its high-impedance off state
        _ => EngineCommand.CurrentWith(ElectricCurrent.FromAmperes(State.StepCurrentAmperes), ElectricPotential.FromVolts(ComplianceFor(step))),
    };

    /// <summary>
    /// The voltage compliance a constant-current step sources under: its own limit when that is the bound the voltage
    /// climbs to (a strip "until 2 V", a charge "until 3.5 V"), so the instrument itself stops the voltage there at the
    /// instant it arrives, as a cycler's cut-off does, instead of running on until the next sample (an emptied
    /// electrode would then be stripped further, by an amount that depends on the sample period). The protocol's
    /// compliance otherwise (a compliance bounds |V|, so a floor such as "discharge until 1.8 V" cannot be one).
    /// </summary>
    private double ComplianceFor(StepDefinition step) =>
        step.IsConstantCurrent && step.CurrentSign > 0 && step.VoltageLimit is { } limit && limit.Volts > 0
            ? Math.Min(limit.Volts, _voltageComplianceVolts)
            : _voltageComplianceVolts;

    private EngineCommand CheckStepEnd(StepDefinition step, in ChannelSample sample)
    {
        var ended = false;
        var volts = sample.Voltage.Volts;
        if (step.Duration is { } duration && State.StepSeconds >= duration.TotalSeconds - 1e-9)
        {
            ended = true;
        }
        if (step.IsConstantCurrent)
        {
            ended |= TargetReached();
            if (step.VoltageLimit is { } limit)
            {
                // In compliance at its own limit, the instrument holds the voltage there: the limit is reached even if
                // the measured voltage reads a hair below it.
                ended |= step.CurrentSign > 0
                    ? volts >= limit.Volts || (sample.InCompliance && ComplianceFor(step) == limit.Volts)
                    : volts <= limit.Volts;
            }
        }
        if (step.CurrentLimit is { } floor && Math.Abs(sample.Current.Amperes) < floor.Resolve(_area).Amperes)
        {
            ended = true;
        }
        if (step.Kind == StepKind.Sweep && SweepReached(step))
        {
            ended = true;
        }
        if (!ended)
        {
            Record(sample, step, stepEnd: false);
            return step.Kind == StepKind.Sweep
                ? EngineCommand.VoltageWith(ElectricPotential.FromVolts(SweepVolts(step)), ElectricCurrent.FromAmperes(_maxCurrentAmperes))
                : TrimmedToTarget(step) ?? EngineCommand.None;
        }
        Record(sample, step, stepEnd: true);
        if (step.ReportsElectronicConductivity)
        {
            ReportElectronicConductivity(sample);
        }
        State.LastStepSeconds[State.Instruction] = State.StepSeconds;
        if (HalfOf(step) == CycleHalf.Discharge && step.Kind != StepKind.Hold && State.CycleChargeAmpSeconds > 0)
        {
            CloseCycle(sample.Timestamp);
        }
        if (!MoveTo(State.Instruction + 1, sample.Timestamp))
        {
            return EngineCommand.Off;
        }
        return EnterStep(Plan.Instructions[State.Instruction].Step!, sample);
    }

    /// <summary>Moves to the next step from <paramref name="instruction"/>, running loop bookkeeping; false when the plan is done.</summary>
    private bool MoveTo(int instruction, DateTimeOffset now)
    {
        PositionChanged = true;
        var instructions = Plan.Instructions;
        while (instruction < instructions.Count)
        {
            var current = instructions[instruction];
            switch (current.Kind)
            {
                case InstructionKind.Step:
                    State.Instruction = instruction;
                    State.StepFresh = true;
                    State.NeedsCommand = true;
                    State.StepSeconds = 0;
                    State.StepAmpSeconds = 0;
                    State.StepTargetAmpSeconds = 0;
                    return true;
                case InstructionKind.LoopStart:
                    State.LoopIterations[current.Depth] = 0;
                    instruction++;
                    break;
                default:
                    var iteration = State.LoopIterations[current.Depth];
                    if (iteration + 1 >= current.Repeat || LoopEndMet(current))
                    {
                        instruction++;
                    }
                    else
                    {
                        State.LoopIterations[current.Depth] = iteration + 1;
                        instruction = current.Partner + 1;
                    }
                    break;
            }
        }
        State.Instruction = instructions.Count;
        End(RunTrigger.Finish, "protocol complete", now);
        return false;
    }

    private bool LoopEndMet(PlanInstruction loopEnd)
    {
        foreach (var condition in loopEnd.EndConditions)
        {
            var met = condition.Kind switch
            {
                LoopEndKind.RetentionBelow => State.Retention is { } r && r < condition.Threshold,
                LoopEndKind.CyclesAtLeast => State.Cycle - 1 >= condition.Threshold,
                _ => State.ShortDetected,
            };
            if (met)
            {
                State.Reason = $"loop end condition met: {condition.Text}";
                return true;
            }
        }
        return false;
    }

    private void Pause(string reason, DateTimeOffset now)
    {
        State.State = RunState.Paused;
        State.Reason = reason;
        State.PendingPause = null;
        State.NeedsCommand = true;
        State.HasPreviousSample = false;
        PositionChanged = true;
        Raise(now, RigEventSeverity.Warning, "engine.paused", $"test {State.TestId} paused: {reason}");
    }

    private void End(RunTrigger trigger, string reason, DateTimeOffset now)
    {
        if (!RunTransitions.TryNext(State.State, trigger, out var next))
        {
            return;
        }
        State.State = next;
        State.Reason = State.Reason is { } loopReason && trigger == RunTrigger.Finish ? $"{reason} ({loopReason})" : reason;
        State.PendingAbort = null;
        State.PendingPause = null;
        PositionChanged = true;
        Outbox.Add(new EngineRecord(End: new TestEndRecord(State.TestId, State.ChannelId, now, next, State.Reason,
            State.InitialCoulombicEfficiency, AverageCoulombicEfficiency, State.CyclesTo80PercentRetention,
            State.CyclesTo70PercentRetention, State.CriticalCurrentDensityMilliampsPerSquareCentimetre, ElectronicConductivity())));
        Raise(now, next == RunState.Finished ? RigEventSeverity.Info : RigEventSeverity.Warning, "engine.test_ended",
            $"test {State.TestId} {next.ToString().ToLowerInvariant()}: {State.Reason}");
    }

    private void Raise(DateTimeOffset now, RigEventSeverity severity, string code, string message) =>
        Outbox.Add(new EngineRecord(Event: new RigEvent(now, severity, State.ChannelId, code, message)));

    private void Record(in ChannelSample sample, StepDefinition step, bool stepEnd) =>
        Outbox.Add(new EngineRecord(Sample: new TestSampleRecord(State.TestId, State.ChannelId, sample.Timestamp, State.TestSeconds,
            State.StepSeconds, State.Cycle, State.Instruction, step.Kind.ToString(), sample.Voltage.Volts, sample.Current.Amperes,
            State.StepAmpSeconds / SecondsPerHour, State.CycleChargeAmpSeconds / SecondsPerHour, State.CycleDischargeAmpSeconds / SecondsPerHour,
            sample.Force?.Newtons, sample.StackPressure?.Pascals, sample.Temperature?.DegreesCelsius, stepEnd)));

    private double SweepVolts(StepDefinition step)
    {
        var target = step.Voltage!.Value.Volts;
        var travelled = step.SweepRate!.Value.VoltsPerSeconds * State.StepSeconds;
        return target >= State.SweepStartVolts
            ? Math.Min(target, State.SweepStartVolts + travelled)
            : Math.Max(target, State.SweepStartVolts - travelled);
    }

    private bool SweepReached(StepDefinition step) => Math.Abs(SweepVolts(step) - step.Voltage!.Value.Volts) < 1e-12;

    private int InnermostIteration()
    {
        var depth = Plan.Instructions[State.Instruction].Depth;
        return depth == 0 ? 0 : State.LoopIterations[depth - 1];
    }

    private CycleHalf HalfOf(StepDefinition step) => step.Kind switch
    {
        StepKind.Plate or StepKind.Charge => CycleHalf.Charge,
        StepKind.Strip or StepKind.Discharge => CycleHalf.Discharge,
        StepKind.Hold => State.LastConstantCurrentHalf,
        _ => CycleHalf.None,
    };
}
