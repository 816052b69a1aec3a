namespace Rig.Service.Timing;

/// <summary>
/// The timer thread's wait outside its lock: until a deadline, or until another thread says the heap changed. Failures
/// are thrown as <see cref="System.ComponentModel.Win32Exception"/>; the scheduler then falls back to its monitor wait.
/// </summary>
internal interface IDeadlineWait : IDisposable
{
    /// <summary>Ends the current (or the next) <see cref="Wait"/> early. Called from any thread.</summary>
    void Wake();

    /// <summary>
    /// Waits until <paramref name="deadline"/> (a Stopwatch timestamp; <see cref="long.MaxValue"/> for none, then at most
    /// <paramref name="idle"/>) or a <see cref="Wake"/>. A signal ends it early too: the caller looks at the heap again.
    /// </summary>
    /// <returns>False if it waited <paramref name="idle"/> with no deadline and no wake.</returns>
    bool Wait(long deadline, TimeSpan idle);
}
