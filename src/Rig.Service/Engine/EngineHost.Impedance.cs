namespace Rig.Service.Engine;

/// <summary>The impedance runner's way into a channel's test: what it is waiting for, and the step's end.</summary>
public sealed partial class EngineHost
{
    /// <summary>The sweep the channel's test waits for, or null.</summary>
    public ImpedanceRequest? PendingImpedance(string channelId)
    {
        if (!_runs.TryGetValue(channelId, out var run))
        {
            return null;
        }
        lock (run.Lock)
        {
            return run.Engine?.PendingImpedance;
        }
    }

    /// <summary>Ends the impedance step <paramref name="instruction"/> (its spectrum is stored): the next sample enters the next step.</summary>
    public async ValueTask<bool> CompleteImpedanceAsync(string channelId, int instruction, CancellationToken cancellationToken)
    {
        if (!_runs.TryGetValue(channelId, out var run))
        {
            return false;
        }
        return await UnderGateAsync(run, () =>
        {
            if (run.Engine is not { } engine)
            {
                return (false, default);
            }
            var now = _time.GetUtcNow();
            var done = engine.CompleteImpedance(instruction, now);
            return (done, done ? TakeBatch(run, now, checkpoint: true) : default);
        }, cancellationToken);
    }
}
