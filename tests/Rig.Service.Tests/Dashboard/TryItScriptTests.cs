using System.Diagnostics;
using System.Globalization;
using System.Text;
using Rig.Service.Tests.Deploy;
using Rig.Service.Tests.Support;
using Rig.Service.Tests.Telemetry;

namespace Rig.Service.Tests.Dashboard;

/// <summary>
/// dashboard/try-it.sh runs an anonymous broker that accepts commands: it must listen on loopback only, on the
/// mosquitto Debian ships (2.0.11, whose WebSockets listener ignored its address), and start without $USER.
/// The listening sockets are read from /proc/net/tcp and tcp6; no traffic leaves loopback.
/// </summary>
[Collection("Dashboard")]
[Trait("Category", TestCategories.OutOfProcess)]
public sealed class TryItScriptTests
{
    [Fact]
    public async Task Try_it_listens_on_loopback_only_and_starts_without_USER()
    {
        DeployScripts.RequireTool("mosquitto", "mosquitto");
        var (mqtt, ws) = (MosquittoBroker.FreePort(), MosquittoBroker.FreePort());
        var start = new ProcessStartInfo("bash", [Path.Combine(DeployScripts.RepositoryRoot, "dashboard/try-it.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment.Remove("USER");
        start.Environment["MQTT_PORT"] = mqtt.ToString(CultureInfo.InvariantCulture);
        start.Environment["WS_PORT"] = ws.ToString(CultureInfo.InvariantCulture);
        using var script = Process.Start(start)!;
        var output = new StringBuilder();
        script.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        script.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        script.BeginOutputReadLine();
        script.BeginErrorReadLine();
        try
        {
            // npm ci (first run), the page build, then mosquitto: bounded, generously for a shared CI machine.
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
            while (!Text(output).Contains("dashboard: open", StringComparison.Ordinal) || ListeningOn(ws).Count == 0)
            {
                Assert.False(script.HasExited, $"try-it.sh exited ({(script.HasExited ? script.ExitCode : 0)}):\n{Text(output)}");
                Assert.True(DateTime.UtcNow < deadline, $"try-it.sh did not come up:\n{Text(output)}");
                await Task.Delay(200);
            }
            var user = Environment.UserName;
            Assert.Contains($"&user={user} ", Text(output), StringComparison.Ordinal);
            foreach (var port in new[] { mqtt, ws })
            {
                var listeners = ListeningOn(port);
                Assert.NotEmpty(listeners);
                Assert.All(listeners, address => Assert.True(IsLoopback(address), $"port {port} listens on {address}: {string.Join(", ", listeners)}"));
            }
        }
        finally
        {
            script.Kill(entireProcessTree: true);
            await script.WaitForExitAsync();
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    /// <summary>The local addresses (hex, as the kernel prints them) of every listening TCP socket on <paramref name="port"/>.</summary>
    private static List<string> ListeningOn(int port)
    {
        var wanted = port.ToString("X4", CultureInfo.InvariantCulture);
        var addresses = new List<string>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var local = fields[1].Split(':');
                if (fields[3] == "0A" && local[1] == wanted)
                {
                    addresses.Add(local[0]);
                }
            }
        }
        return addresses;
    }

    // 127.0.0.1 in /proc/net/tcp (little-endian words); ::1 and ::ffff:127.0.0.1 in /proc/net/tcp6.
    private static bool IsLoopback(string address) =>
        address is "0100007F" or "00000000000000000000000001000000" or "0000000000000000FFFF00000100007F";
}
