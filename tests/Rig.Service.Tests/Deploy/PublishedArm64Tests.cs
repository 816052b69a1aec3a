using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Rig.Service.Tests.Support;
using Rig.Service.Tests.Telemetry;

namespace Rig.Service.Tests.Deploy;

/// <summary>
/// The build a Pi runs: deploy/publish.sh linux-arm64 (self-contained, ReadyToRun), started under qemu-user with
/// Debian's arm64 C library and nothing else from arm64 Debian (no libicu, as on a minimal Pi OS). It must report
/// READY=1 to a notify socket, as under systemd, and publish a channel's state to a real mosquitto.
/// </summary>
[Collection("Deploy")]
[Trait("Category", TestCategories.OutOfProcess)]
public sealed class PublishedArm64Tests : IDisposable
{
    private const string ArmLibraries = "/usr/aarch64-linux-gnu";
    private readonly string _work = Directory.CreateTempSubdirectory("afr-arm64-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task Published_linux_arm64_build_starts_under_qemu_reaches_ready_and_publishes_a_sample()
    {
        var qemu = DeployScripts.RequireTool("qemu-aarch64", "qemu-user");
        Assert.True(Directory.Exists(Path.Combine(ArmLibraries, "lib")), $"{ArmLibraries}/lib missing: apt-get install libc6-arm64-cross libstdc++6-arm64-cross (.ci/run)");
        var output = Path.Combine(_work, "bin");
        var (publishExit, publishLog) = await DeployScripts.RunAsync(Path.Combine(DeployScripts.RepositoryRoot, "deploy/publish.sh"), ["linux-arm64", output], TimeSpan.FromMinutes(10));
        Assert.True(publishExit == 0, publishLog);

        await using var broker = await MosquittoBroker.StartAsync();
        await using var watcher = await TestSubscriber.ConnectAsync(broker.Port, "anodefreerig/rig-01/ch1/state");
        var socketPath = Path.Combine(_work, "notify.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        var start = new ProcessStartInfo(qemu, [Path.Combine(output, "Rig.Service")])
        {
            WorkingDirectory = _work,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["QEMU_LD_PREFIX"] = ArmLibraries;
        start.Environment["NOTIFY_SOCKET"] = socketPath;
        start.Environment["STATE_DIRECTORY"] = Path.Combine(_work, "state");
        start.Environment["CONFIGURATION_DIRECTORY"] = Path.Combine(_work, "etc");
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["Mqtt__Broker"] = "127.0.0.1";
        start.Environment["Mqtt__Port"] = broker.Port.ToString(CultureInfo.InvariantCulture);
        start.Environment["Mqtt__HomeAssistantDiscovery"] = "false";
        start.Environment["Mqtt__StatePeriod"] = "00:00:01";
        start.Environment["Logging__Console__FormatterOptions__ColorBehavior"] = "Disabled";
        using var service = Process.Start(start)!;
        var log = new StringBuilder();
        service.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        service.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        service.BeginOutputReadLine();
        service.BeginErrorReadLine();
        try
        {
            // Emulated, the runtime starts slowly (minutes on a loaded 2-core machine): the limits are generous.
            var ready = await ReceiveUntilAsync(socket, m => m.Contains("READY=1") || service.HasExited, TimeSpan.FromMinutes(5));
            Assert.True(ready.Contains("READY=1"), $"notifications: [{string.Join("|", ready)}]\n{Log(log)}");
            var state = await watcher.WaitForAsync(r => r.Any(m => m.Json.TryGetProperty("voltage_V", out _)), TimeSpan.FromMinutes(2));
            Assert.NotEmpty(state);
            Assert.DoesNotContain("ICU", Log(log), StringComparison.Ordinal);
        }
        finally
        {
            if (!service.HasExited)
            {
                service.Kill(entireProcessTree: true);
            }
            await service.WaitForExitAsync();
        }
    }

    private static string Log(StringBuilder log)
    {
        lock (log)
        {
            return log.ToString();
        }
    }

    private static async Task<List<string>> ReceiveUntilAsync(Socket socket, Func<List<string>, bool> done, TimeSpan limit)
    {
        var messages = new List<string>();
        var buffer = new byte[4096];
        var deadline = DateTime.UtcNow + limit;
        while (!done(messages) && DateTime.UtcNow < deadline)
        {
            using var slice = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try
            {
                var received = await socket.ReceiveAsync(buffer, SocketFlags.None, slice.Token);
                messages.AddRange(Encoding.UTF8.GetString(buffer, 0, received).Split('\n', StringSplitOptions.RemoveEmptyEntries));
            }
            catch (OperationCanceledException)
            {
                // a second without a datagram: check whether the process is still there
            }
        }
        return messages;
    }
}
