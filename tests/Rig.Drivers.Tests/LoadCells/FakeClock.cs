using Microsoft.Extensions.Time.Testing;

namespace Rig.Drivers.Tests.LoadCells;

/// <summary>Runs an operation that waits on the rig clock, advancing a fake clock in steps until it finishes.</summary>
internal static class FakeClock
{
    public static async Task<T> Run<T>(FakeTimeProvider time, Func<Task<T>> operation, TimeSpan? step = null, TimeSpan? limit = null)
    {
        var task = operation();
        var advanced = TimeSpan.Zero;
        var max = limit ?? TimeSpan.FromSeconds(30);
        while (!task.IsCompleted)
        {
            if (advanced > max)
            {
                throw new TimeoutException($"operation still waiting after {max} of rig time");
            }
            var s = step ?? TimeSpan.FromMilliseconds(5);
            time.Advance(s);
            advanced += s;
            await Task.WhenAny(task, Task.Delay(1));
        }
        return await task;
    }

    public static Task Run(FakeTimeProvider time, Func<Task> operation) =>
        Run(time, async () => { await operation(); return true; });
}
