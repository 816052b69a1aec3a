using Rig.Service.Tests.Support;
namespace Rig.Service.Tests.Deploy;

[Collection("Deploy")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Trait("Category", TestCategories.OutOfProcess)]
public sealed class SystemdUnitTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("afr-unit-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("anodefreerig.service", "opt/anodefreerig/bin/Rig.Service")]
    [InlineData("anodefreerig-archive.service", "opt/anodefreerig-archive/bin/Rig.Archive")]
    public async Task Installed_unit_passes_systemd_analyze_verify_and_scores_ok_on_security(string unitName, string executable)
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
        var program = Path.Combine(_root, executable);
        Directory.CreateDirectory(Path.GetDirectoryName(program)!);
        await File.WriteAllTextAsync(program, "#!/bin/sh\n");
        File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        var system = Path.Combine(_root, "etc/systemd/system");
        Directory.CreateDirectory(system);
        File.Copy(Path.Combine(DeployScripts.RepositoryRoot, "deploy/systemd", unitName), Path.Combine(system, unitName));

        var (verifyExit, verifyOutput) = await DeployScripts.RunAsync(analyze, ["verify", "--man=no", $"--root={_root}", unitName], TimeSpan.FromSeconds(60));
        Assert.True(verifyExit == 0 && verifyOutput.Trim().Length == 0, $"systemd-analyze verify: exit {verifyExit}\n{verifyOutput}");

        var (securityExit, securityOutput) = await DeployScripts.RunAsync(analyze, ["security", "--offline=yes", $"--root={_root}", "--threshold=30", unitName], TimeSpan.FromSeconds(60));
        Assert.True(securityExit == 0, $"systemd-analyze security: exit {securityExit}\n{securityOutput}");
        Assert.Matches($@"Overall exposure level for {unitName.Replace(".", @"\.", StringComparison.Ordinal)}: [0-2]\.\d OK", securityOutput);
    }
}
