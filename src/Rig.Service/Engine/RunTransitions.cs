using Rig.Service.Control;

namespace Rig.Service.Engine;

public enum RunTrigger
{
    Start,
    Pause,
    Resume,
    Interrupt,
    Finish,
    Abort,
    Fault,
}

/// <summary>
/// The run states and every allowed transition in one table (as Bluesky's RunEngineStateMachine). Anything not
/// in the table is refused, which is how a command that does not fit (resume a running test, start on a busy
/// channel) is told apart from one that does.
/// </summary>
public static class RunTransitions
{
    private static readonly Dictionary<(RunState From, RunTrigger Trigger), RunState> Table = new()
    {
        [(RunState.Idle, RunTrigger.Start)] = RunState.Running,
        [(RunState.Finished, RunTrigger.Start)] = RunState.Running,
        [(RunState.Aborted, RunTrigger.Start)] = RunState.Running,
        [(RunState.Faulted, RunTrigger.Start)] = RunState.Running,
        [(RunState.Running, RunTrigger.Pause)] = RunState.Paused,
        [(RunState.Running, RunTrigger.Interrupt)] = RunState.Interrupted,
        [(RunState.Running, RunTrigger.Finish)] = RunState.Finished,
        [(RunState.Running, RunTrigger.Abort)] = RunState.Aborted,
        [(RunState.Running, RunTrigger.Fault)] = RunState.Faulted,
        [(RunState.Paused, RunTrigger.Resume)] = RunState.Running,
        [(RunState.Paused, RunTrigger.Interrupt)] = RunState.Paused,
        [(RunState.Paused, RunTrigger.Abort)] = RunState.Aborted,
        [(RunState.Interrupted, RunTrigger.Resume)] = RunState.Running,
        [(RunState.Interrupted, RunTrigger.Interrupt)] = RunState.Interrupted,
        [(RunState.Interrupted, RunTrigger.Abort)] = RunState.Aborted,
    };

    public static bool TryNext(RunState from, RunTrigger trigger, out RunState next) => Table.TryGetValue((from, trigger), out next);

    /// <summary>States in which a test holds the channel (a new one may not start).</summary>
    public static bool HoldsChannel(RunState state) => state is RunState.Running or RunState.Paused or RunState.Interrupted;
}
