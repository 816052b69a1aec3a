namespace Rig.Service.Tests.Support;

/// <summary>
/// Tests that swap Console's writers (the command lines write their refusals to standard error) join this collection:
/// nothing else may run meanwhile.
/// </summary>
[CollectionDefinition(nameof(ConsoleCapture), DisableParallelization = true)]
public sealed class ConsoleCapture
{
    /// <summary>Runs a command line with standard error captured, within <see cref="HostileFiles.HangGuard"/>.</summary>
    public static async Task<(int Exit, string Error)> StandardErrorOfAsync(Func<Task<int>> commandLine)
    {
        var error = new StringWriter();
        var original = Console.Error;
        try
        {
            Console.SetError(error);
            var exit = await HostileFiles.WithinHangGuardAsync(commandLine);
            return (exit, error.ToString());
        }
        finally
        {
            Console.SetError(original);
        }
    }
}
