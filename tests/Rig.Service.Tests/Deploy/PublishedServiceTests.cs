using Rig.Service.Tests.Support;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Rig.Service.Tests.Deploy;

/// <summary>
/// Publishes the service with deploy/publish.sh for linux-x64 and runs it as systemd would: NOTIFY_SOCKET names a
/// datagram socket this test listens on, WATCHDOG_USEC asks for pings. The simulated rig must report READY=1, ping
/// WATCHDOG=1 while its loops tick, and on SIGTERM say STOPPING=1 and exit 0.
/// </summary>
[Collection("Deploy")]
[Trait("Category", TestCategories.OutOfProcess)]
public sealed class PublishedServiceTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("afr-publish-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task Published_linux_x64_build_reaches_ready_pings_the_watchdog_and_stops_cleanly_on_sigterm()
    {
        var output = Path.Combine(_work, "bin");
        var (publishExit, publishLog) = await DeployScripts.RunAsync(Path.Combine(DeployScripts.RepositoryRoot, "deploy/publish.sh"), ["linux-x64", output], TimeSpan.FromMinutes(10)); // trimmed since issue 19: slower
        Assert.True(publishExit == 0, publishLog);

        var socketPath = Path.Combine(_work, "notify.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        var start = new ProcessStartInfo(Path.Combine(output, "Rig.Service"))
        {
            WorkingDirectory = output,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["NOTIFY_SOCKET"] = socketPath;
        start.Environment["WATCHDOG_USEC"] = "2000000";
        start.Environment["STATE_DIRECTORY"] = Path.Combine(_work, "state");
        start.Environment["CONFIGURATION_DIRECTORY"] = Path.Combine(_work, "etc");
        using var service = Process.Start(start)!;
        var log = new StringBuilder();
        service.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        service.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        service.BeginOutputReadLine();
        service.BeginErrorReadLine();
        try
        {
            var messages = await ReceiveUntilAsync(socket, m => m.Contains("READY=1") && m.Contains("WATCHDOG=1"), TimeSpan.FromSeconds(30));
            Assert.True(messages.Contains("READY=1") && messages.Contains("WATCHDOG=1"), $"notifications: [{string.Join("|", messages)}]\n{Log(log)}");
            Assert.True(messages.IndexOf("READY=1") < messages.IndexOf("WATCHDOG=1"), string.Join("|", messages));

            using (var kill = Process.Start("kill", ["-TERM", service.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }
            var stopping = await ReceiveUntilAsync(socket, m => m.Contains("STOPPING=1"), TimeSpan.FromSeconds(15));
            Assert.Contains("STOPPING=1", stopping);
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await service.WaitForExitAsync(exit.Token);
            Assert.True(service.ExitCode == 0, Log(log));
        }
        finally
        {
            if (!service.HasExited)
            {
                service.Kill(entireProcessTree: true);
            }
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
        using var cts = new CancellationTokenSource(limit);
        try
        {
            while (!done(messages))
            {
                var received = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                messages.AddRange(Encoding.UTF8.GetString(buffer, 0, received).Split('\n', StringSplitOptions.RemoveEmptyEntries));
            }
        }
        catch (OperationCanceledException)
        {
            // time limit reached: the caller's assertion says what was missing
        }
        return messages;
    }
}
