using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Rig.Service.PressureSupervision.Cli;
using Rig.Service.Tests.Support;

namespace Rig.Service.Tests.Hostile;

/// <summary>Issue 22: CLI verbs and account scripts refuse hostile arguments with usage and a non-zero exit, never a stack trace, and write nothing.</summary>
public sealed class HostileCliTests : IDisposable
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), "rig-hostile-cli-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_state))
        {
            Directory.Delete(_state, recursive: true);
        }
    }

    private IConfiguration Configuration() => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Rig:StateDirectory"] = _state,
        ["Rig:Channels:ch1:Cell:Name"] = "HC-bench",
        ["Rig:Channels:ch1:Clamp:Kind"] = "Simulated",
    }).Build();

    [Theory]
    [InlineData("read", "NaN")]
    [InlineData("read", "-5")]
    [InlineData("read", "0")]
    [InlineData("read", "99999999999999999999")]
    [InlineData("read", "1e3")]
    [InlineData("span", "99999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999N")]
    [InlineData("span", "-500N")]
    [InlineData("span", "NaN N")]
    public async Task A_loadcell_verb_with_a_hostile_number_is_a_usage_error(string verb, string argument)
    {
        var output = new StringWriter();

        var exit = await LoadCellCli.TryRunAsync(["loadcell", verb, "ch1", argument], Configuration(), output);

        Assert.Equal(2, exit);
        Assert.Contains("usage:", output.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_state, "calibration", "ch1.json")));
    }

    [Theory]
    [Trait("Category", TestCategories.OutOfProcess)]
    [InlineData("admin", "bob")]
    [InlineData("rig", "bob; rm -rf /")]
    [InlineData("operator", "alice", "--prefix", "a/#")]
    public void Add_account_with_a_refused_input_writes_nothing(string role, string name, params string[] more)
    {
        Directory.CreateDirectory(_state);
        var script = Path.Combine(DeployRoot(), "mosquitto", "add-account.sh");
        var start = new ProcessStartInfo("bash") { RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true };
        foreach (var argument in new[] { script, role, name, "--dir", _state }.Concat(more))
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(20)));

        Assert.Equal(2, process.ExitCode);
        Assert.Empty(Directory.GetFiles(_state));
    }

    private static string DeployRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (Directory.Exists(Path.Combine(directory.FullName, "deploy", "mosquitto")))
            {
                return Path.Combine(directory.FullName, "deploy");
            }
        }
        throw new DirectoryNotFoundException("deploy/ not found above the test assembly");
    }
}
