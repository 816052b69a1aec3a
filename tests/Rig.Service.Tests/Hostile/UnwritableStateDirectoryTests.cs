using Rig.Service.CommandLine;
using Rig.Service.Tests.Support;

namespace Rig.Service.Tests.Hostile;

/// <summary>
/// Issue 22: a state directory the service cannot write ends the start with exit code 73 (EX_CANTCREAT) and a
/// message naming the directory and the key to change, before anything else is opened. Tests run as root, so file
/// permissions would not refuse anything: /sys is refused even to root (sysfs takes no new files or directories),
/// and a regular file where the directory should be is refused to everyone.
/// </summary>
[Trait("Category", TestCategories.OutOfProcess)]
public sealed class UnwritableStateDirectoryTests : IDisposable
{
    // A hang guard, not a timing: the gate refuses before the host is built.
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(90);
    private readonly string _directory = Directory.CreateTempSubdirectory("rig-unwritable-state-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("/sys/kernel")]              // exists, but no lock file can be created in it
    [InlineData("/sys/anodefreerig-state")]  // cannot be created at all
    public async Task A_state_directory_on_a_file_system_nobody_may_write_ends_the_start_with_73_naming_it(string state)
    {
        var (exit, output) = await RunAsync(state);

        Assert.True(exit == ExitCodes.CannotCreate, $"exit code {exit}, expected {ExitCodes.CannotCreate}:\n{output}");
        Assert.Contains(state, output, StringComparison.Ordinal);
        Assert.Contains("Rig:StateDirectory", output, StringComparison.Ordinal);
        Assert.DoesNotContain("MQTT connected", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_state_directory_that_is_a_regular_file_ends_the_start_with_73_naming_it()
    {
        var file = Path.Combine(_directory, "state");
        await File.WriteAllTextAsync(file, "not a directory");

        var (exit, output) = await RunAsync(file);

        Assert.True(exit == ExitCodes.CannotCreate, $"exit code {exit}, expected {ExitCodes.CannotCreate}:\n{output}");
        Assert.Contains(file, output, StringComparison.Ordinal);
        Assert.Contains("Rig:StateDirectory", output, StringComparison.Ordinal);
        Assert.Equal("not a directory", await File.ReadAllTextAsync(file));
    }

    private static async Task<(int Exit, string Output)> RunAsync(string state)
    {
        await using var service = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["Rig__StateDirectory"] = state,
            // Nothing must be reached; a closed loopback port in case the gate let it through.
            ["Mqtt__Broker"] = "127.0.0.1",
            ["Mqtt__Port"] = "1",
        });
        await service.WaitForExitAsync(HangGuard);
        return (service.ExitCode, service.Output);
    }
}
