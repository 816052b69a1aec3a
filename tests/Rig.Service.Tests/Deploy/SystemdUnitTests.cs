using Rig.Service.Tests.Support;
namespace Rig.Service.Tests.Deploy;

[Collection("Deploy")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Trait("Category", TestCategories.OutOfProcess)]
public sealed class SystemdUnitTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("afr-unit-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Installed_unit_passes_systemd_analyze_verify_and_scores_ok_on_security()
    {
        var analyze = DeployScripts.RequireTool("systemd-analyze", "systemd");
        // verify resolves ExecStart= and the targets the unit names: give it an image with the system's units and
        // an executable where install.sh puts the service.
        var units = Path.Combine(_root, "usr/lib/systemd/system");
        Directory.CreateDirectory(units);
        foreach (var unit in Directory.EnumerateFileSystemEntries("/lib/systemd/system"))
        {
            var target = Path.Combine(units, Path.GetFileName(unit));
            if (new FileInfo(unit).LinkTarget is { } link) { File.CreateSymbolicLink(target, link); }
            else if (File.Exists(unit)) { File.Copy(unit, target); }
        }
        var bin = Path.Combine(_root, "opt/anodefreerig/bin");
        Directory.CreateDirectory(bin);
        await File.WriteAllTextAsync(Path.Combine(bin, "Rig.Service"), "#!/bin/sh\n");
        File.SetUnixFileMode(Path.Combine(bin, "Rig.Service"), UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        var system = Path.Combine(_root, "etc/systemd/system");
        Directory.CreateDirectory(system);
        File.Copy(Path.Combine(DeployScripts.RepositoryRoot, "deploy/systemd/anodefreerig.service"), Path.Combine(system, "anodefreerig.service"));

        var (verifyExit, verifyOutput) = await DeployScripts.RunAsync(analyze, ["verify", "--man=no", $"--root={_root}", "anodefreerig.service"], TimeSpan.FromSeconds(60));
        Assert.True(verifyExit == 0 && verifyOutput.Trim().Length == 0, $"systemd-analyze verify: exit {verifyExit}\n{verifyOutput}");

        var (securityExit, securityOutput) = await DeployScripts.RunAsync(analyze, ["security", "--offline=yes", $"--root={_root}", "--threshold=30", "anodefreerig.service"], TimeSpan.FromSeconds(60));
        Assert.True(securityExit == 0, $"systemd-analyze security: exit {securityExit}\n{securityOutput}");
        Assert.Matches(@"Overall exposure level for anodefreerig\.service: [0-2]\.\d OK", securityOutput);
    }
}
