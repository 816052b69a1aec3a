using Rig.Service.Channels;
using Rig.Service.Control;
using Rig.Service.Engine.Protocols;
using Rig.Service.Recording;
using UnitsNet;

namespace Rig.Service.Engine;

/// <summary>
/// Runs one test on one channel: a synchronous interpreter of a <see cref="ProtocolPlan"/> that is fed each
/// <see cref="ChannelSample"/> and answers with the <see cref="EngineCommand"/> for the instrument. It never waits
/// and never does I/O: records go to <see cref="Outbox"/>, position to <see cref="State"/> (the checkpoint). Not
/// thread-safe: the caller serialises calls (the host holds a lock per channel).
/// </summary>
public sealed partial class CyclingEngine
{
    private readonly ShortCircuitDetector _detector = new();
    private readonly Area _area;
    private readonly double _voltageComplianceVolts;
    private readonly double _maxCurrentAmperes;

    public CyclingEngine(ProtocolPlan plan, EngineState state)
    {
        Plan = plan ?? throw new ArgumentNullException(nameof(plan));
        State = state ?? throw new ArgumentNullException(nameof(state));
        if (State.LoopIterations.Length < plan.MaxDepth)
        {
            State.LoopIterations = new int[plan.MaxDepth];
        }
        _area = Area.FromSquareCentimeters(state.CellAreaSquareCentimetres);
        _voltageComplianceVolts = plan.Safety.VoltageCompliance.Volts;
        _maxCurrentAmperes = plan.Safety.MaxCurrent.Resolve(_area).Amperes;
    }

    public ProtocolPlan Plan { get; }

    public EngineState State { get; }

    /// <summary>Records and events produced since the caller last drained it.</summary>
    public List<EngineRecord> Outbox { get; } = new(4);

    /// <summary>True when the position changed in a way a checkpoint must not miss (step, cycle or state change).</summary>
    public bool PositionChanged { get; private set; }

    /// <summary>A new test, positioned before its first step.</summary>
    public static CyclingEngine Start(ProtocolPlan plan, TestStartRecord start, double cellAreaSquareCentimetres)
    {
        ArgumentNullException.ThrowIfNull(start);
        var state = new EngineState
        {
            TestId = start.TestId,
            ChannelId = start.ChannelId,
            ProtocolName = plan.Name,
            ProtocolText = plan.Text,
            Parameters = new Dictionary<string, string>(plan.Parameters, StringComparer.Ordinal),
            CellAreaSquareCentimetres = cellAreaSquareCentimetres,
            SeparatorThicknessCentimetres = start.Cell.Build?.SeparatorThicknessMm is { } mm && mm > 0 && double.IsFinite(mm) ? mm / 10 : null,
            StartedAt = start.StartedAt,
            State = RunState.Running,
        };
        var engine = new CyclingEngine(plan, state);
        engine.Outbox.Add(new EngineRecord(Start: start));
        engine.PositionChanged = true;
        return engine;
    }

    public string? StepText => State.Instruction >= 0 && State.Instruction < Plan.Instructions.Count ? Plan.Instructions[State.Instruction].Step?.Text : null;

    public ChannelRunStatus Status()
    {
        var progress = ProtocolProgress.Of(Plan, State);
        return new(State.ChannelId, State.State, State.TestId, State.ProtocolName, State.Cycle, Math.Max(0, State.Instruction), StepText,
            State.Reason, progress.CyclesPlanned, progress.TimeLeft, progress.TimeLeftEstimated, CurrentStepEnds());
    }

    /// <summary>Asks for a pause at the next sample (the safe point: the engine turns the output off there).</summary>
    public bool RequestPause(string reason)
    {
        if (State.State != RunState.Running)
        {
            return false;
        }
        State.PendingPause ??= reason;
        return true;
    }

    /// <summary>Asks for an abort at the next sample; a paused or interrupted test aborts at once (its output is already off).</summary>
    public bool RequestAbort(string reason, DateTimeOffset now)
    {
        if (!RunTransitions.TryNext(State.State, RunTrigger.Abort, out _))
        {
            return false;
        }
        if (State.State == RunState.Running)
        {
            State.PendingAbort ??= reason;
        }
        else
        {
            End(RunTrigger.Abort, reason, now);
        }
        return true;
    }

    /// <summary>Resumes a paused or interrupted test: the step it was in is re-entered with its progress kept.</summary>
    public bool Resume()
    {
        if (!RunTransitions.TryNext(State.State, RunTrigger.Resume, out var next))
        {
            return false;
        }
        State.State = next;
        State.Reason = null;
        State.PendingPause = null;
        State.NeedsCommand = true;
        State.HasPreviousSample = false; // the time spent paused passed no charge and counts toward no limit
        PositionChanged = true;
        return true;
    }

    /// <summary>After a crash or restart: a running test becomes interrupted (its output was turned off at start-up).</summary>
    public void MarkInterrupted(string reason)
    {
        if (RunTransitions.TryNext(State.State, RunTrigger.Interrupt, out var next) && next != State.State)
        {
            State.State = next;
            State.Reason = reason;
        }
        State.NeedsCommand = true;
        State.HasPreviousSample = false;
        PositionChanged = true;
    }

    /// <summary>An interlock holds the channel (its loop turns the output off): pause now, with every reason, resumable once it clears.</summary>
    public void Hold(in ChannelSample sample, string reason)
    {
        if (State.State != RunState.Running)
        {
            return;
        }
        if (State.Instruction >= 0 && State.Instruction < Plan.Instructions.Count && Plan.Instructions[State.Instruction].Step is { } step)
        {
            if (!State.NeedsCommand)
            {
                Integrate(step, sample); // current flowed until this sample: its interval counts before the pause
            }
            PauseAt(step, sample, reason); // the sample the hold was seen on is recorded: the data shows where it paused
        }
        else
        {
            Pause(reason, sample.Timestamp);
        }
    }

    /// <summary>The channel reported a device fault: pause (output already off) so it can be resumed once fixed.</summary>
    public EngineCommand OnFault(string description, DateTimeOffset now)
    {
        if (State.State == RunState.Running)
        {
            Pause($"hardware fault: {description}", now);
        }
        return EngineCommand.None;
    }

    /// <summary>Consumes one sample and returns what the instrument must do next.</summary>
    public EngineCommand OnSample(in ChannelSample sample)
    {
        PositionChanged = false;
        switch (State.State)
        {
            case RunState.Running:
                break;
            case RunState.Paused or RunState.Interrupted:
                return sample.OutputOn ? EngineCommand.Off : EngineCommand.None;
            default:
                return EngineCommand.None;
        }
        EngineCommand command;
        if (State.Instruction < 0 && !MoveTo(0, sample.Timestamp))
        {
            command = EngineCommand.Off;
        }
        else
        {
            var step = Plan.Instructions[State.Instruction].Step!;
            if (State.NeedsCommand)
            {
                command = EnterStep(step, sample);
            }
            else
            {
                // The interval ending at this sample carried current whatever is asked of the test next: it is
                // integrated (and may end the step) before a pending pause or abort turns the output off.
                Integrate(step, sample);
                command = CheckSafety(step, sample) ?? CheckStepEnd(step, sample);
            }
        }
        if (State.State != RunState.Running)
        {
            return command;
        }
        if (State.PendingAbort is { } abort)
        {
            End(RunTrigger.Abort, abort, sample.Timestamp);
            return EngineCommand.Off;
        }
        if (State.PendingPause is { } pause)
        {
            Pause(pause, sample.Timestamp);
            return EngineCommand.Off;
        }
        return command;
    }
}
