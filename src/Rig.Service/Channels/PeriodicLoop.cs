namespace Rig.Service.Channels;

/// <summary>Runs a tick at once and then every period on the rig clock until stopped: the shape of every rig loop.</summary>
public static class PeriodicLoop
{
    public static async Task RunAsync(TimeSpan period, TimeProvider time, Func<CancellationToken, Task> tick, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(tick);
        using var timer = new PeriodicTimer(period, time);
        do
        {
            await tick(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
