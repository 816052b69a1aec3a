namespace Rig.Service.Tests.Support;

/// <summary>
/// Loops run on the thread pool after a virtual-clock step: a test waits for them to act, bounded in real time (a hang
/// guard, not a timing). Past the bound the wait throws <see cref="OperationCanceledException"/>.
/// </summary>
internal static class Eventually
{
    public static async Task Until(Func<bool> condition)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            await Task.Delay(2, limit.Token);
        }
    }
}
