using System.Diagnostics;
using Rig.Service.Tests.Support;

namespace Rig.Service.Tests.Deploy;

/// <summary>
/// deploy/anodefreerig (installed as /usr/local/bin/anodefreerig) run against the service built next to these tests,
/// in a scratch prefix (ANODEFREERIG_PREFIX/etc/anodefreerig, ANODEFREERIG_PREFIX/var/lib/anodefreerig): its verbs
/// and exit codes as a person at the Pi would meet them. The runs as root use root as the service account (there is
/// no anodefreerig user on a build machine); a non-root run is made with setpriv as nobody.
/// </summary>
[Collection("Deploy")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Trait("Category", TestCategories.OutOfProcess)]
public sealed class WrapperScriptTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private static readonly string Wrapper = Path.Combine(DeployScripts.RepositoryRoot, "deploy/anodefreerig");
    private static readonly string Program = Path.Combine(AppContext.BaseDirectory, "Rig.Service");
    private readonly string _prefix = Directory.CreateTempSubdirectory("afr-wrapper-").FullName;

    public WrapperScriptTests()
    {
        // nobody must be able to reach the script and the program for the non-root case
        File.SetUnixFileMode(_prefix, (UnixFileMode)0b111_101_101);
    }

    private string Etc => Path.Combine(_prefix, "etc/anodefreerig");

    private string State => Path.Combine(_prefix, "var/lib/anodefreerig");

    public void Dispose() => Directory.Delete(_prefix, recursive: true);

    [Fact]
    public async Task Help_and_version_are_the_programs_own_and_need_no_sudo()
    {
        var (helpExit, help) = await AsNobodyAsync("--help");
        var (versionExit, version) = await AsNobodyAsync("--version");

        Assert.True(helpExit == 0, help);
        Assert.Contains("usage: Rig.Service", help, StringComparison.Ordinal);
        Assert.Contains("75 another instance holds the state directory", help, StringComparison.Ordinal);
        Assert.True(versionExit == 0, version);
        Assert.StartsWith("Rig.Service ", version, StringComparison.Ordinal);
        Assert.False(Directory.Exists(State)); // nothing created for a question
    }

    [Fact]
    public async Task Without_sudo_the_rig_is_refused_with_77_before_anything_runs()
    {
        var (exit, output) = await AsNobodyAsync("loadcell", "read", "ch1", "5");

        Assert.True(exit == 77, output);
        Assert.Contains("run with sudo", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(State));
    }

    [Fact]
    public async Task An_unknown_verb_is_the_programs_usage_error_64_after_the_state_directory_is_made_for_the_service_account()
    {
        var (exit, output) = await AsRootAsync(["exprot"]);

        Assert.True(exit == 64, output);
        Assert.Contains("unknown verb 'exprot' (did you mean 'export'?)", output, StringComparison.Ordinal);
        Assert.True(Directory.Exists(State));
        Assert.Equal((UnixFileMode)0b111_101_000, File.GetUnixFileMode(State)); // 0750
    }

    [Fact]
    public async Task A_second_rig_on_the_held_state_directory_exits_75_naming_it()
    {
        Directory.CreateDirectory(State);
        var lockFile = Path.Combine(State, "rig.lock");
        using var holder = Process.Start(new ProcessStartInfo(DeployScripts.RequireTool("flock", "util-linux"), ["--exclusive", lockFile, "sleep", "120"])
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
        try
        {
            await WaitUntilLockedAsync(lockFile);

            var (exit, output) = await AsRootAsync([]);

            Assert.True(exit == 75, output);
            Assert.Contains(State, output, StringComparison.Ordinal);
        }
        finally
        {
            holder.Kill(entireProcessTree: true);
            await holder.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task The_program_gets_the_units_environment_with_secrets_taken_literally()
    {
        Directory.CreateDirectory(Etc);
        await File.WriteAllTextAsync(Path.Combine(Etc, "broker.env"), "# the rig's broker\nMqtt__Broker=127.0.0.1\n\nMqtt__Username=rig-01\n");
        await File.WriteAllTextAsync(Path.Combine(Etc, "secrets.env"), "Mqtt__Password=p$HOME `id` \"q\" #x & 'y' \\z ü\n; comment\n");
        var probe = Path.Combine(_prefix, "probe.sh");
        await File.WriteAllTextAsync(probe, "#!/bin/sh\nprintf 'args=%s\\n' \"$*\"\nprintf 'pwd=%s\\n' \"$PWD\"\nenv | sort\n");
        File.SetUnixFileMode(probe, (UnixFileMode)0b111_101_101);

        var (exit, output) = await AsRootAsync(["loadcell", "read", "ch1", "5"], program: probe);

        Assert.True(exit == 0, output);
        Assert.Contains("args=loadcell read ch1 5", output, StringComparison.Ordinal);
        Assert.Contains($"pwd={State}\n", output, StringComparison.Ordinal);
        Assert.Contains($"STATE_DIRECTORY={State}\n", output, StringComparison.Ordinal);
        Assert.Contains($"CONFIGURATION_DIRECTORY={Etc}\n", output, StringComparison.Ordinal);
        Assert.Contains("DOTNET_ENVIRONMENT=Production\n", output, StringComparison.Ordinal);
        Assert.Contains("Mqtt__Broker=127.0.0.1\n", output, StringComparison.Ordinal);
        Assert.Contains("Mqtt__Username=rig-01\n", output, StringComparison.Ordinal);
        Assert.Contains("Mqtt__Password=p$HOME `id` \"q\" #x & 'y' \\z ü\n", output, StringComparison.Ordinal);
    }

    private Task<(int ExitCode, string Output)> AsRootAsync(string[] arguments, string? program = null) =>
        DeployScripts.RunAsync(Wrapper, arguments, Limit, new Dictionary<string, string>
        {
            ["ANODEFREERIG_PROGRAM"] = program ?? Program,
            ["ANODEFREERIG_PREFIX"] = _prefix,
            ["ANODEFREERIG_USER"] = "root",
        }, workingDirectory: _prefix);

    // As the unprivileged "nobody" (the tests run as root in CI); as the user running the tests otherwise.
    private Task<(int ExitCode, string Output)> AsNobodyAsync(params string[] arguments)
    {
        var environment = new Dictionary<string, string> { ["ANODEFREERIG_PROGRAM"] = Program, ["ANODEFREERIG_PREFIX"] = _prefix, ["HOME"] = _prefix };
        if (Environment.UserName != "root")
        {
            return DeployScripts.RunAsync(Wrapper, arguments, Limit, environment, workingDirectory: _prefix);
        }
        return DeployScripts.RunAsync(DeployScripts.RequireTool("setpriv", "util-linux"),
            ["--reuid=65534", "--regid=65534", "--clear-groups", "--", Wrapper, .. arguments], Limit, environment, workingDirectory: _prefix);
    }

    private static async Task WaitUntilLockedAsync(string lockFile)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            var (exit, _) = await DeployScripts.RunAsync(DeployScripts.RequireTool("flock", "util-linux"), ["--nonblock", lockFile, "true"], TimeSpan.FromSeconds(10));
            if (exit != 0)
            {
                return;
            }
            await Task.Delay(50);
        }
        Assert.Fail($"the test's flock never took {lockFile}");
    }
}
