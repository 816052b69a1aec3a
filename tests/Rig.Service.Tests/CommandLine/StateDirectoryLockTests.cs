using Rig.Service.CommandLine;
using Rig.Service.Configuration;

namespace Rig.Service.Tests.CommandLine;

public sealed class StateDirectoryLockTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("afr-lock-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_second_lock_on_the_same_directory_is_refused_naming_the_holder_and_the_directory()
    {
        using var first = StateDirectoryLock.Acquire(_directory);
        var busy = Assert.Throws<StateDirectoryBusyException>(() => StateDirectoryLock.Acquire(_directory));
        Assert.Contains($"pid {Environment.ProcessId}", busy.Holder, StringComparison.Ordinal);
        Assert.Contains(_directory, busy.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_lock_is_free_again_once_released()
    {
        StateDirectoryLock.Acquire(_directory).Dispose();
        using var again = StateDirectoryLock.Acquire(_directory);
        Assert.True(File.Exists(Path.Combine(_directory, StateDirectoryLock.FileName)));
    }

    [Fact]
    public void The_gate_turns_a_held_lock_into_exit_code_75_and_one_readable_line()
    {
        using var first = StateDirectoryLock.Acquire(_directory);
        var error = new StringWriter();
        Assert.Null(StateDirectoryGate.TryEnter(_directory, out var exitCode, error));
        Assert.Equal(ExitCodes.AlreadyRunning, exitCode);
        Assert.Contains(_directory, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_state_directory_never_depends_on_the_current_directory()
    {
        string? None(string _) => null;
        var fallback = RigOptions.ResolveStateDirectory("", key => key == "HOME" ? "/home/lab" : None(key));
        Assert.Equal("/home/lab/.local/state/anodefreerig", fallback);
        Assert.Equal("/var/lib/anodefreerig", RigOptions.ResolveStateDirectory(null, key => key == "STATE_DIRECTORY" ? "/var/lib/anodefreerig" : None(key)));
        Assert.Equal("/srv/rig", RigOptions.ResolveStateDirectory("/srv/rig", key => key == "STATE_DIRECTORY" ? "/var/lib/anodefreerig" : None(key)));
        Assert.Equal("/x/anodefreerig", RigOptions.ResolveStateDirectory(null, key => key == "XDG_STATE_HOME" ? "/x" : None(key)));
    }
}
