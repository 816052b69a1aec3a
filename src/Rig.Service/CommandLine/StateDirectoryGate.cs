namespace Rig.Service.CommandLine;

/// <summary>Takes the state directory's lock for the program, turning a refusal into its message and exit code.</summary>
public static class StateDirectoryGate
{
    /// <summary>The held lock, or null with the exit code in <paramref name="exitCode"/> after printing why.</summary>
    public static StateDirectoryLock? TryEnter(string stateDirectory, out int exitCode, TextWriter? error = null)
    {
        error ??= Console.Error;
        try
        {
            exitCode = ExitCodes.Ok;
            return StateDirectoryLock.Acquire(stateDirectory);
        }
        catch (StateDirectoryBusyException busy)
        {
            error.WriteLine($"{FrontDoor.ProgramName}: {busy.Message}");
            exitCode = ExitCodes.AlreadyRunning;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"{FrontDoor.ProgramName}: cannot use the state directory {stateDirectory}: {e.Message}. " +
                            "Set Rig:StateDirectory to a directory this user may write, or run as the service user (deploy/anodefreerig).");
            exitCode = ExitCodes.CannotCreate;
        }
        return null;
    }
}
