using System.Diagnostics;

namespace Rig.Service.Tests.Support;

/// <summary>
/// Files that must never be read as ordinary ones (issue 22): a FIFO without a writer (an ordinary open waits for ever)
/// and /dev/zero (an endless read eats memory). Shared by every test that checks a configured file is read bounded.
/// Every wait on them goes through <see cref="WithinHangGuardAsync{T}(Func{T})"/>: a hang guard on its own token, not a
/// timing, so old code that blocks fails the test instead of hanging the run.
/// </summary>
public static class HostileFiles
{
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    /// <summary>"fifo" (made by <see cref="PathFor"/> in a test's folder) and "/dev/zero".</summary>
    public static TheoryData<string> Kinds => ["fifo", "/dev/zero"];

    /// <summary>A real FIFO at <paramref name="path"/> (mkfifo(1)); the path back.</summary>
    public static string MakeFifo(string path)
    {
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }

    /// <summary>The path for one of <see cref="Kinds"/>: a new FIFO named <paramref name="name"/> in <paramref name="directory"/>, or the device.</summary>
    public static string PathFor(string kind, string directory, string name = "password") =>
        kind == "fifo" ? MakeFifo(Path.Combine(directory, name)) : kind;

    /// <summary>Runs blocking work off the test's thread and gives up after <see cref="HangGuard"/>.</summary>
    public static async Task<T> WithinHangGuardAsync<T>(Func<T> work)
    {
        using var guard = new CancellationTokenSource(HangGuard);
        return await Task.Run(work, guard.Token).WaitAsync(guard.Token);
    }

    /// <inheritdoc cref="WithinHangGuardAsync{T}(Func{T})"/>
    public static async Task<T> WithinHangGuardAsync<T>(Func<Task<T>> work)
    {
        using var guard = new CancellationTokenSource(HangGuard);
        return await Task.Run(work, guard.Token).WaitAsync(guard.Token);
    }

    /// <inheritdoc cref="WithinHangGuardAsync{T}(Func{T})"/>
    public static async Task WithinHangGuardAsync(Action work)
    {
        using var guard = new CancellationTokenSource(HangGuard);
        await Task.Run(work, guard.Token).WaitAsync(guard.Token);
    }
}
