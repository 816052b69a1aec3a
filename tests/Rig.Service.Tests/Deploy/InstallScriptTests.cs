using Rig.Service.Tests.Support;
namespace Rig.Service.Tests.Deploy;

[Collection("Deploy")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Trait("Category", TestCategories.OutOfProcess)]
public sealed class InstallScriptTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("afr-install-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private string Root => Path.Combine(_work, "root");

    private string FakeBuild()
    {
        var bin = Path.Combine(_work, "publish");
        Directory.CreateDirectory(bin);
        File.WriteAllText(Path.Combine(bin, "Rig.Service"), "#!/bin/sh\n");
        File.SetUnixFileMode(Path.Combine(bin, "Rig.Service"), UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        File.Copy(Path.Combine(DeployScripts.RepositoryRoot, "src/Rig.Service/appsettings.json"), Path.Combine(bin, "appsettings.json"));
        return bin;
    }

    private async Task<string> InstallAsync(params string[] arguments)
    {
        var (exitCode, output) = await DeployScripts.RunAsync(Path.Combine(DeployScripts.RepositoryRoot, "deploy/install.sh"), ["--root", Root, .. arguments], TimeSpan.FromSeconds(60));
        Assert.True(exitCode == 0, output);
        return output;
    }

    private Dictionary<string, string> Snapshot() =>
        Directory.EnumerateFileSystemEntries(Root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToDictionary(
            p => Path.GetRelativePath(Root, p),
            p => new FileInfo(p).LinkTarget ?? (File.Exists(p) ? $"{File.GetUnixFileMode(p)} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(p)))}" : "dir"));

    [Fact]
    public async Task Installing_twice_changes_nothing_the_second_time_and_enables_the_overlays_once()
    {
        DeployScripts.RequireTool("useradd", "passwd");
        var bin = FakeBuild();
        Directory.CreateDirectory(Path.Combine(Root, "boot/firmware"));
        await File.WriteAllTextAsync(Path.Combine(Root, "boot/firmware/config.txt"), "[all]\ndtparam=audio=on\n");

        var first = await InstallAsync("--bin", bin);
        var afterFirst = Snapshot();
        var second = await InstallAsync("--bin", bin);
        var afterSecond = Snapshot();

        Assert.Contains("REBOOT", first);
        Assert.DoesNotContain("REBOOT", second);
        Assert.Equal(afterFirst, afterSecond);
        var config = await File.ReadAllTextAsync(Path.Combine(Root, "boot/firmware/config.txt"));
        Assert.Single(config.Split('\n'), l => l == "dtparam=i2c_arm=on");
        Assert.Contains("dtparam=spi=on", config);
        Assert.StartsWith("[all]\ndtparam=audio=on\n", config);
        Assert.Single(File.ReadAllLines(Path.Combine(Root, "etc/passwd")), l => l.StartsWith("anodefreerig:", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(Root, "etc/anodefreerig/appsettings.json")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(Root, "etc/anodefreerig/secrets.env")));
        Assert.Equal("/etc/systemd/system/anodefreerig.service", new FileInfo(Path.Combine(Root, "etc/systemd/system/multi-user.target.wants/anodefreerig.service")).LinkTarget);
    }

    [Fact]
    public async Task Reinstalling_keeps_edited_settings_and_uninstall_keeps_data_until_purged()
    {
        var bin = FakeBuild();
        await InstallAsync("--bin", bin);
        var settings = Path.Combine(Root, "etc/anodefreerig/appsettings.json");
        await File.WriteAllTextAsync(settings, "{ \"Rig\": { \"Id\": \"edited\" } }");
        Directory.CreateDirectory(Path.Combine(Root, "var/lib/anodefreerig"));
        await File.WriteAllTextAsync(Path.Combine(Root, "var/lib/anodefreerig/store.db"), "data");

        await InstallAsync("--bin", bin);
        Assert.Contains("edited", await File.ReadAllTextAsync(settings));

        await InstallAsync("--uninstall");
        Assert.False(Directory.Exists(Path.Combine(Root, "opt/anodefreerig")));
        Assert.False(File.Exists(Path.Combine(Root, "etc/systemd/system/anodefreerig.service")));
        Assert.True(File.Exists(settings));
        Assert.True(File.Exists(Path.Combine(Root, "var/lib/anodefreerig/store.db")));

        await InstallAsync("--uninstall", "--purge");
        Assert.False(Directory.Exists(Path.Combine(Root, "var/lib/anodefreerig")));
        Assert.DoesNotContain(File.ReadAllLines(Path.Combine(Root, "etc/passwd")), l => l.StartsWith("anodefreerig:", StringComparison.Ordinal));
    }
}
