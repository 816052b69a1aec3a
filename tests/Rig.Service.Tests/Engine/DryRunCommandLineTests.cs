using System.Text.Json;
using CsCheck;
using Microsoft.Extensions.Configuration;
using Rig.Service.CommandLine;
using Rig.Service.Engine.Simulation;
using Rig.Service.Tests.Support;

namespace Rig.Service.Tests.Engine;

/// <summary>Issue 21: "Rig.Service dry-run ..." prints the twin's prediction; hostile arguments get usage, never a stack trace.</summary>
public sealed class DryRunCommandLineTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("afr-dryrun-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static IConfiguration Configuration() => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Rig:Channels:ch1:Cell:Chemistry"] = "AnodeFreeFullCell",
        ["Rig:Channels:ch1:Cell:AreaCm2"] = "0.785",
        ["Rig:Channels:ch1:Cell:Name"] = "cell-a",
        ["Rig:Channels:ch2:Cell:Name"] = "cell-b",
        ["Rig:Channels:ch2:Cell:Chemistry"] = "AnodeFreeHalfCell",
    }).Build();

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await DryRunCommandLine.RunAsync(["dry-run", .. args], Configuration(), output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task A_preset_with_parameters_prints_the_prediction_as_json()
    {
        var (code, output, error) = await RunAsync("--channel", "ch1", "--preset", "anode-free-full-cell", "--param", "cycles=3", "--temperature=40");

        Assert.True(code == ExitCodes.Ok, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.True(root.GetProperty("completed").GetBoolean());
        Assert.Equal(6, root.GetProperty("cycles").GetInt32()); // 3 formation + 3
        Assert.True(root.GetProperty("duration_s").GetDouble() > 0);
        Assert.Equal(40, root.GetProperty("temperature_degC").GetDouble());
        Assert.Equal(0, root.GetProperty("warnings").GetArrayLength());
    }

    [Fact]
    public async Task A_protocol_file_is_read_and_its_warnings_printed()
    {
        var file = Path.Combine(_directory, "tight.json");
        await File.WriteAllTextAsync(file, """
            { "name": "0.01 instead of 0.1", "cell": "AnodeFreeFullCell", "conditions": { "temperature": "40 °C" },
              "safety": { "voltage": "0 V to 5.5 V", "maxCurrent": "5 mA/cm2" },
              "steps": [ "Charge at 0.01 mA/cm2 until 3.5 V (timeout 3 h)" ] }
            """);

        var (code, output, error) = await RunAsync("--protocol", file, "--channel", "ch1");

        Assert.True(code == ExitCodes.Ok, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("Faulted", json.RootElement.GetProperty("final_state").GetString());
        Assert.Contains("never reached its end condition", json.RootElement.GetProperty("warnings")[0].GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new string[0], "--channel is required")]
    [InlineData(new[] { "--channel" }, "--channel needs a value")]
    [InlineData(new[] { "--channel", "ch1" }, "either --preset or --protocol")]
    [InlineData(new[] { "--channel", "ch1", "--preset", "lsv", "--protocol", "x.json" }, "either --preset or --protocol")]
    [InlineData(new[] { "--channel", "ch1", "--preset", "../../etc/passwd" }, "not a valid value")]
    [InlineData(new[] { "--channel", "ch1", "--channel", "ch2", "--preset", "lsv" }, "given twice")]
    [InlineData(new[] { "--channel", "ch1", "--preset", "lsv", "--param", "noequals" }, "--param takes key=value")]
    [InlineData(new[] { "--channel", "ch1", "--preset", "lsv", "--param", "a=1", "--param", "a=2" }, "given twice")]
    [InlineData(new[] { "--channel", "ch1", "--preset", "lsv", "--temperature", "NaN" }, "not a valid value")]
    [InlineData(new[] { "--channel", "ch1", "--preset", "lsv", "--temperature", "1e999" }, "not a valid value")]
    [InlineData(new[] { "--channel", "ch1", "--preset", "lsv", "--chanel", "ch1" }, "did you mean '--channel'")]
    [InlineData(new[] { "--channel", "ch1", "--preset", "lsv", "extra" }, "unexpected argument 'extra'")]
    [InlineData(new[] { "--channel", "ch1\u0007", "--preset", "lsv" }, "control characters")]
    public async Task Hostile_arguments_get_the_usage_and_exit_64(string[] args, string why)
    {
        var (code, output, error) = await RunAsync(args);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Empty(output);
        Assert.Contains(why, error, StringComparison.Ordinal);
        Assert.Contains("usage: Rig.Service dry-run", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--channel", "ch9", "--preset", "lsv" }, ExitCodes.VerbRefused, "unknown channel 'ch9' (this rig has: ch1, ch2)")]
    [InlineData(new[] { "--channel", "ch1", "--preset", "no-such" }, ExitCodes.VerbRefused, "no preset 'no-such'")]
    [InlineData(new[] { "--channel", "ch2", "--preset", "anode-free-full-cell" }, ExitCodes.VerbRefused, "channel ch2 holds a AnodeFreeHalfCell")]
    [InlineData(new[] { "--channel", "ch1", "--preset", "lsv", "--temperature", "400" }, ExitCodes.VerbRefused, "outside -40 to 150 °C")]
    [InlineData(new[] { "--channel", "ch1", "--protocol", "/no/such/file.json" }, ExitCodes.NoInput, "No protocol file")]
    [InlineData(new[] { "--channel", "ch1", "--preset", "lsv", "--Engine:DryRun:SamplePeriod=banana" }, ExitCodes.ConfigurationError, "Configuration error")]
    [InlineData(new[] { "--channel", "ch1", "--preset", "lsv", "--Engine:DryRun:WallTimeLimit=01:00:00" }, ExitCodes.ConfigurationError, "Engine:DryRun:WallTimeLimit")]
    public async Task What_the_rig_refuses_exits_with_its_code_and_a_sentence(string[] args, int exitCode, string why)
    {
        var (code, output, error) = await RunAsync(args);

        Assert.True(code == exitCode, error);
        Assert.Empty(output);
        Assert.Contains(why, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_protocol_file_that_is_too_large_or_not_a_protocol_is_refused()
    {
        var large = Path.Combine(_directory, "large.json");
        await File.WriteAllTextAsync(large, new string(' ', DryRunCommandLine.MaxProtocolBytes + 1));
        var garbage = Path.Combine(_directory, "garbage.json");
        await File.WriteAllBytesAsync(garbage, [0x7b, 0xff, 0xfe, 0x00, 0x22]);

        Assert.Equal(ExitCodes.Usage, (await RunAsync("--channel", "ch1", "--protocol", large)).Code);
        var (code, _, error) = await RunAsync("--channel", "ch1", "--protocol", garbage);
        Assert.True(code is ExitCodes.NoInput or ExitCodes.VerbRefused, error);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Any_argument_list_is_answered_with_a_known_code_and_never_throws()
    {
        string[] known = ["--channel", "--preset", "--protocol", "--param", "--temperature", "--stack-pressure", "ch1", "ch2", "lsv", "dc-polarization",
                "no-such", "a=b", "=", "--", "-", "--channel=ch1", "--preset=lsv", "-5", "1e308", "NaN", "--Rig:SamplePeriod=x", "--Engine:DryRun:SamplePeriod=00:00:00"];
        var token = Gen.Frequency((3, Gen.Int[0, known.Length - 1].Select(i => known[i])), (1, Gen.String));
        token.Array[0, 8].Sample(args =>
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            var code = DryRunCommandLine.RunAsync(["dry-run", .. args], Configuration(), output, error, CancellationToken.None).GetAwaiter().GetResult();
            Assert.Contains(code, new[] { ExitCodes.Ok, ExitCodes.VerbRefused, ExitCodes.Usage, ExitCodes.NoInput, ExitCodes.ConfigurationError });
            Assert.True(code == ExitCodes.Ok || error.ToString().Length > 0);
            Assert.DoesNotContain("   at ", error.ToString(), StringComparison.Ordinal);
        }, iter: 300);
    }

    [Fact]
    [Trait("Category", TestCategories.OutOfProcess)]
    public async Task The_service_executable_runs_the_verb_and_refuses_bad_arguments_without_a_stack_trace()
    {
        var environment = new Dictionary<string, string>
        {
            ["Rig__StateDirectory"] = Path.Combine(_directory, "state"),
            ["Rig__Channels__ch1__Cell__Chemistry"] = "AnodeFreeFullCell",
            ["Rig__Channels__ch1__Cell__Name"] = "cell-a",
        };
        await using var good = ServiceProcess.Start(environment, "dry-run", "--channel", "ch1", "--preset", "full-cell-rate");
        await good.WaitForExitAsync(TimeSpan.FromMinutes(2));
        Assert.True(good.ExitCode == ExitCodes.Ok, good.Output);
        Assert.Contains("\"cycles_to_80_percent\":", good.Output, StringComparison.Ordinal);

        await using var bad = ServiceProcess.Start(environment, "dry-run", "--channel", "ch1", "--preset");
        await bad.WaitForExitAsync(TimeSpan.FromMinutes(2));
        Assert.True(bad.ExitCode == ExitCodes.Usage, bad.Output);
        Assert.Contains("usage: Rig.Service dry-run", bad.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", bad.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_directory, "state")), "a dry run touches no state");
    }
}
