using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Formatter;
using Rig.Service.Tests.Support;

namespace Rig.Service.Tests.Deploy;

/// <summary>
/// install.sh --central into a scratch root with passwords a person might really choose (and a few they might
/// not): every file it writes is read back, and the rig's broker configuration is started with Debian's
/// mosquitto to prove it parses and that the accounts log in with exactly those passwords.
/// </summary>
[Collection("Deploy")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Trait("Category", TestCategories.OutOfProcess)]
public sealed class InstallHostilePasswordTests : IDisposable
{
    private const string BridgePassword = "p#ss&w/rd\\ 'single' \"double\" $(touch /tmp/pwned) `id` ü€𝄞 & \\1 #end";
    private const string OperatorPassword = "op&#/\\'\" spaced  ñ € %s %n *";
    private readonly string _work = Directory.CreateTempSubdirectory("afr-hostile-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private string Root => Path.Combine(_work, "root");

    private string Mq => Path.Combine(Root, "etc/mosquitto/anodefreerig");

    [Fact]
    public async Task Central_install_writes_every_secret_byte_for_byte_points_the_service_at_its_broker_and_is_idempotent()
    {
        DeployScripts.RequireTool("mosquitto_passwd", "mosquitto");
        var bin = FakeBuild();
        Directory.CreateDirectory(Path.Combine(Root, "boot/firmware"));
        // A config.txt that ends inside a model filter: the block must not apply to the Pi 4 only.
        await File.WriteAllTextAsync(Path.Combine(Root, "boot/firmware/config.txt"), "dtparam=audio=on\n[pi4]\narm_boost=1");
        var ca = Path.Combine(_work, "ca.crt");
        await File.WriteAllTextAsync(ca, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");

        var first = await InstallAsync(ca);
        var afterFirst = Snapshot();
        var second = await InstallAsync(ca);
        Assert.Equal(afterFirst, Snapshot());
        Assert.Contains("account operator created", first, StringComparison.Ordinal);
        Assert.DoesNotContain("created", second, StringComparison.Ordinal);
        Assert.False(File.Exists("/tmp/pwned"), "a password was run as a command");

        var conf = await File.ReadAllBytesAsync(Path.Combine(Root, "etc/mosquitto/conf.d/anodefreerig-rig.conf"));
        var lines = Encoding.UTF8.GetString(conf).Split('\n');
        Assert.Single(lines, l => l == $"remote_password {BridgePassword}");
        Assert.Contains("address broker.lab.example:8883", lines);
        Assert.Contains("remote_username rig-07", lines);
        Assert.Contains("topic anodefreerig/rig-07/# out 1", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("persistence", StringComparison.Ordinal));
        foreach (var written in Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories).Where(f => !f.Contains("/opt/", StringComparison.Ordinal) && new FileInfo(f).LinkTarget is null))
        {
            var text = await File.ReadAllTextAsync(written);
            Assert.False(text.Contains("@RIG@", StringComparison.Ordinal) || text.Contains("@CENTRAL@", StringComparison.Ordinal) || text.Contains("@BRIDGE_PASSWORD@", StringComparison.Ordinal), written);
        }
        var acl = await File.ReadAllLinesAsync(Path.Combine(Mq, "acl"));
        // The service writes its data and replies, never its own commands (deploy/test/acl-test.sh proves it on the broker).
        Assert.Contains("topic write anodefreerig/rig-07/reply/#", acl);
        Assert.DoesNotContain("topic write anodefreerig/rig-07/#", acl);
        Assert.Contains("topic write anodefreerig/rig-07/cmd/#", acl);
        var accounts = (await File.ReadAllLinesAsync(Path.Combine(Mq, "passwd"))).Select(l => l.Split(':')[0]).ToList();
        Assert.Equal(["anodefreerig", "operator"], accounts);
        var servicePassword = (await File.ReadAllTextAsync(Path.Combine(Root, "etc/anodefreerig/mqtt-password"))).TrimEnd('\n');
        Assert.True(servicePassword.Length >= 24, servicePassword);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(Path.Combine(Root, "etc/anodefreerig/mqtt-password")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(Path.Combine(Root, "etc/mosquitto/conf.d/anodefreerig-rig.conf")));
        Assert.Equal(
            ["Mqtt__Broker=127.0.0.1", "Mqtt__Port=1883", "Mqtt__Username=anodefreerig", "Mqtt__PasswordFile=/etc/anodefreerig/mqtt-password"],
            (await File.ReadAllLinesAsync(Path.Combine(Root, "etc/anodefreerig/broker.env"))).Where(l => !l.StartsWith('#')));
        Assert.Contains("EnvironmentFile=-/etc/anodefreerig/broker.env", await File.ReadAllTextAsync(Path.Combine(Root, "etc/systemd/system/anodefreerig.service")), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Mq, "certs/ca.crt")));
        Assert.True(File.Exists(Path.Combine(Root, "usr/local/bin/anodefreerig")));

        var config = (await File.ReadAllTextAsync(Path.Combine(Root, "boot/firmware/config.txt"))).Split('\n');
        var block = Array.IndexOf(config, "# >>> AnodeFreeRig install >>>");
        Assert.True(block > Array.IndexOf(config, "arm_boost=1"), string.Join('\n', config));
        Assert.Equal("[all]", config[block + 1]);

        await AssertAccountsLogInAsync(servicePassword);
    }

    [Theory]
    [InlineData("line\nbreak")]
    [InlineData(" leading")]
    [InlineData("trailing ")]
    [InlineData("")]
    public async Task A_password_mosquitto_cannot_store_is_refused_before_anything_is_written(string password)
    {
        var (exitCode, output) = await DeployScripts.RunAsync(Path.Combine(DeployScripts.RepositoryRoot, "deploy/install.sh"),
            ["--root", Root, "--bin", FakeBuild(), "--central", "broker.lab.example:8883", "--rig-id", "rig-07"], TimeSpan.FromSeconds(60),
            new Dictionary<string, string> { ["ANODEFREERIG_BRIDGE_PASSWORD"] = password });
        Assert.True(exitCode == 2, output);
        Assert.Contains("ANODEFREERIG_BRIDGE_PASSWORD", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(Root, "etc")), output);
    }

    /// <summary>Debian's mosquitto with Debian's main file around the installed conf.d file, ports and paths moved.</summary>
    private async Task AssertAccountsLogInAsync(string servicePassword)
    {
        var port = FreePort();
        var confDir = Path.Combine(_work, "conf.d");
        Directory.CreateDirectory(confDir);
        var installed = await File.ReadAllTextAsync(Path.Combine(Root, "etc/mosquitto/conf.d/anodefreerig-rig.conf"));
        await File.WriteAllTextAsync(Path.Combine(confDir, "anodefreerig-rig.conf"), installed
            .Replace("/etc/mosquitto/anodefreerig", Mq, StringComparison.Ordinal)
            .Replace("listener 1883 127.0.0.1", $"listener {port} 127.0.0.1", StringComparison.Ordinal)
            .Replace("listener 1884 127.0.0.1", $"listener {FreePort()} 127.0.0.1", StringComparison.Ordinal)
            .Replace("address broker.lab.example:8883", $"address 127.0.0.1:{FreePort()}", StringComparison.Ordinal));
        var data = Directory.CreateDirectory(Path.Combine(_work, "data")).FullName;
        var main = Path.Combine(_work, "mosquitto.conf");
        await File.WriteAllTextAsync(main, $"persistence true\npersistence_location {data}/\ninclude_dir {confDir}\n" + (Environment.UserName == "root" ? "user root\n" : ""));
        using var broker = Process.Start(new ProcessStartInfo("/usr/sbin/mosquitto", ["-c", main]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var log = new StringBuilder();
        broker.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        broker.BeginErrorReadLine();
        try
        {
            Assert.True(await CanLogInAsync(port, "operator", OperatorPassword, TimeSpan.FromSeconds(20)), Log(log));
            Assert.True(await CanLogInAsync(port, "anodefreerig", servicePassword, TimeSpan.FromSeconds(5)), Log(log));
            Assert.False(await CanLogInAsync(port, "operator", OperatorPassword[..^1], TimeSpan.FromSeconds(2)), Log(log));
        }
        finally
        {
            broker.Kill();
            await broker.WaitForExitAsync();
        }
    }

    private static async Task<bool> CanLogInAsync(int port, string user, string password, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            using var client = new MqttClientFactory().CreateMqttClient();
            var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithProtocolVersion(MqttProtocolVersion.V500)
                .WithClientId($"rig-07-{Guid.NewGuid():N}") // the rig broker takes only ids prefixed with the rig id
                .WithCredentials(user, password).WithTimeout(TimeSpan.FromSeconds(2)).Build();
            try
            {
                var result = await client.ConnectAsync(options);
                if (result.ResultCode == MqttClientConnectResultCode.Success)
                {
                    await client.DisconnectAsync();
                    return true;
                }
            }
            catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or MqttConnectingFailedException or OperationCanceledException)
            {
                if (e is MqttConnectingFailedException)
                {
                    return false;
                }
            }
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            await Task.Delay(200);
        }
    }

    private async Task<string> InstallAsync(string ca)
    {
        var (exitCode, output) = await DeployScripts.RunAsync(Path.Combine(DeployScripts.RepositoryRoot, "deploy/install.sh"),
            ["--root", Root, "--bin", Path.Combine(_work, "publish"), "--central", "broker.lab.example:8883", "--central-ca", ca, "--rig-id", "rig-07"],
            TimeSpan.FromSeconds(60),
            new Dictionary<string, string> { ["ANODEFREERIG_BRIDGE_PASSWORD"] = BridgePassword, ["ANODEFREERIG_OPERATOR_PASSWORD"] = OperatorPassword });
        Assert.True(exitCode == 0, output);
        return output;
    }

    private string FakeBuild()
    {
        var bin = Path.Combine(_work, "publish");
        if (!Directory.Exists(bin))
        {
            Directory.CreateDirectory(bin);
            File.WriteAllText(Path.Combine(bin, "Rig.Service"), "#!/bin/sh\n");
            File.SetUnixFileMode(Path.Combine(bin, "Rig.Service"), UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
            File.Copy(Path.Combine(DeployScripts.RepositoryRoot, "src/Rig.Service/appsettings.json"), Path.Combine(bin, "appsettings.json"));
        }
        return bin;
    }

    private Dictionary<string, string> Snapshot() =>
        Directory.EnumerateFileSystemEntries(Root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToDictionary(
            p => Path.GetRelativePath(Root, p),
            p => new FileInfo(p).LinkTarget ?? (File.Exists(p) ? $"{File.GetUnixFileMode(p)} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(p)))}" : "dir"));

    private static string Log(StringBuilder log)
    {
        lock (log)
        {
            return log.ToString();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
