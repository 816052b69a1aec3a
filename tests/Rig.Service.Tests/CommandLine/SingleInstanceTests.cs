using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Rig.Service.CommandLine;
using Rig.Service.Tests.Support;

namespace Rig.Service.Tests.CommandLine;

/// <summary>Two real service processes on one state directory: the second must leave the first's rig alone.</summary>
[Trait("Category", TestCategories.OutOfProcess)]
public sealed class SingleInstanceTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _directory = Directory.CreateTempSubdirectory("afr-single-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_second_instance_on_the_same_state_directory_exits_75_naming_the_running_one_and_the_first_keeps_running()
    {
        var state = Path.Combine(_directory, "state");
        await using var first = ServiceProcess.Start(Environment(state));
        await first.WaitForLogAsync("running:", Patience);
        Assert.Contains($"State directory: {state}", first.Output, StringComparison.Ordinal);

        await using var second = ServiceProcess.Start(Environment(state));
        await second.WaitForExitAsync(Patience);
        Assert.True(second.ExitCode == ExitCodes.AlreadyRunning, second.Output);
        Assert.Contains($"pid {first.Id}", second.Output, StringComparison.Ordinal);
        Assert.Contains(state, second.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("running:", second.Output, StringComparison.Ordinal);

        Assert.False(first.HasExited, first.Output);
        Assert.True(await first.StopAsync(), first.Output);

        // Once the first has stopped, the directory is free again.
        await using var third = ServiceProcess.Start(Environment(state));
        await third.WaitForLogAsync("running:", Patience);
    }

    [Theory]
    [InlineData("--help", 0)]
    [InlineData("-h", 0)]
    [InlineData("--version", 0)]
    [InlineData("--verbose", 64)]
    [InlineData("stop", 64)]
    public async Task Help_version_and_unknown_arguments_never_open_the_state_directory(string argument, int exitCode)
    {
        var state = Path.Combine(_directory, "untouched");
        await using var service = ServiceProcess.Start(Environment(state), argument);
        await service.WaitForExitAsync(Patience);
        Assert.True(service.ExitCode == exitCode, service.Output);
        Assert.False(Directory.Exists(state), service.Output);
        Assert.Contains(argument == "--version" ? "Rig.Service 0." : "usage: Rig.Service", service.Output, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Environment(string state) => new()
    {
        ["Rig__StateDirectory"] = state,
        ["Mqtt__Broker"] = "127.0.0.1",
        // Nothing listens there: the rig runs and keeps retrying, which is all this test needs.
        ["Mqtt__Port"] = ClosedPort().ToString(CultureInfo.InvariantCulture),
        ["Mqtt__HomeAssistantDiscovery"] = "false",
    };

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
