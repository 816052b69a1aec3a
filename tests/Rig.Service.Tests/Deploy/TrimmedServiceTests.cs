using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MQTTnet;
using Rig.Service.Tests.Support;
using Rig.Service.Tests.Telemetry;

namespace Rig.Service.Tests.Deploy;

/// <summary>
/// The trimmed build deploy/publish.sh makes (issue 19: the runtime images it drops are most of the memory saved) is
/// still the whole rig: options are bound by generated code and the settings check sees every options class, so a
/// setting from a real settings file is read (the rig id is in the topics), and a malformed or misspelt setting stops
/// the start naming the key, as the untrimmed service does. Reflection the trimmer cannot see would show up here as a
/// setting silently ignored or a key that is "not a setting".
/// </summary>
[Collection("Deploy")]
[Trait("Category", TestCategories.OutOfProcess)]
public sealed class TrimmedServiceTests(TrimmedServiceTests.PublishedBuild build) : IClassFixture<TrimmedServiceTests.PublishedBuild>, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("afr-trimmed-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public void Published_build_is_trimmed()
    {
        // A self-contained build that is not trimmed carries the whole framework, Visual Basic's runtime included.
        Assert.True(File.Exists(Path.Combine(build.Directory, "Rig.Service")), build.Log);
        Assert.False(File.Exists(Path.Combine(build.Directory, "Microsoft.VisualBasic.Core.dll")), "the published service is not trimmed");
    }

    [Fact]
    public async Task Trimmed_build_reads_its_settings_file_and_runs_a_preset_on_a_simulated_channel()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var states = await TestSubscriber.ConnectAsync(broker.Port, "anodefreerig/rig-trimmed-7/ch1/state");
        WriteSettings(settings =>
        {
            settings["Rig"]!["Id"] = "rig-trimmed-7";
            // The shipped file has no Mqtt section (the defaults: the embedded broker on 1883).
            settings["Mqtt"] = new JsonObject { ["Broker"] = "127.0.0.1", ["Port"] = broker.Port, ["StatePeriod"] = "00:00:01" };
        });
        using var service = Start(new Dictionary<string, string>());
        try
        {
            var state = await states.WaitForAsync(r => r.Any(m => m.Json.TryGetProperty("voltage_V", out _)), TimeSpan.FromMinutes(1));
            Assert.NotEmpty(state);
            await using var replies = await TestSubscriber.ConnectAsync(broker.Port, "anodefreerig/rig-trimmed-7/#");
            await replies.Client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("anodefreerig/rig-trimmed-7/cmd/start")
                .WithPayload("""{"channel":"ch1","preset":"plating-stripping-1mAh"}""").Build());
            var running = await replies.WaitForAsync(r => r.Any(Running), TimeSpan.FromMinutes(1));
            Assert.True(running.Any(Running), Log(service));
        }
        finally
        {
            await StopAsync(service);
        }
    }

    [Theory]
    [InlineData("Mqtt__Port", "not-a-port", "Mqtt:Port")]
    [InlineData("Rig__SamplePeriod", "soon", "Rig:SamplePeriod")]
    [InlineData("Rig__Channels__ch1__Clamp__Knd", "Simulated", "Rig:Channels:ch1:Clamp:Knd is not a setting (did you mean 'Kind'?)")]
    [InlineData("Rig__Channels__ch1__Clamp__Kind", "Nau7803", "'Nau7803' is not one of")]
    [InlineData("Rig__SamplePeriod", "-00:00:01", "Rig:SamplePeriod")]
    public async Task Trimmed_build_refuses_a_malformed_setting_naming_the_key(string key, string value, string expected)
    {
        WriteSettings(_ => { });
        using var service = Start(new Dictionary<string, string> { [key] = value });
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await service.WaitForExitAsync(limit.Token);
        }
        finally
        {
            await StopAsync(service);
        }
        Assert.True(service.ExitCode == 78, $"exit {service.ExitCode}\n{Log(service)}");
        Assert.Contains(expected, Log(service), StringComparison.Ordinal);
    }

    private static bool Running(Received message) => message.Topic.EndsWith("/ch1/state", StringComparison.Ordinal)
        && message.Json.TryGetProperty("run_state", out var state) && state.GetString() == "running";

    private void WriteSettings(Action<JsonNode> change)
    {
        var settings = JsonNode.Parse(File.ReadAllText(Path.Combine(build.Directory, "appsettings.json")))!;
        change(settings);
        Directory.CreateDirectory(Path.Combine(_work, "etc"));
        File.WriteAllText(Path.Combine(_work, "etc", "appsettings.json"), settings.ToJsonString());
    }

    private Process Start(IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(Path.Combine(build.Directory, "Rig.Service"))
        {
            WorkingDirectory = _work,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["STATE_DIRECTORY"] = Path.Combine(_work, "state");
        start.Environment["CONFIGURATION_DIRECTORY"] = Path.Combine(_work, "etc");
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["Logging__Console__FormatterOptions__ColorBehavior"] = "Disabled";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        var service = new Process { StartInfo = start };
        var log = new StringBuilder();
        _logs[service] = log;
        service.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        service.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        service.Start();
        service.BeginOutputReadLine();
        service.BeginErrorReadLine();
        return service;
    }

    private readonly Dictionary<Process, StringBuilder> _logs = [];

    private string Log(Process service)
    {
        var log = _logs[service];
        lock (log)
        {
            return log.ToString();
        }
    }

    private static async Task StopAsync(Process service)
    {
        if (!service.HasExited)
        {
            service.Kill(entireProcessTree: true);
        }
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await service.WaitForExitAsync(limit.Token);
    }

    /// <summary>deploy/publish.sh linux-x64, once for the class: a trimmed ReadyToRun publish, ~2-3 min on 2 quiet cores,
    /// over 6 min on the shared VM at load 40 (hence the 15 min limit).</summary>
    public sealed class PublishedBuild : IAsyncLifetime
    {
        private readonly string _root = System.IO.Directory.CreateTempSubdirectory("afr-trimmed-bin-").FullName;

        public string Directory => Path.Combine(_root, "bin");

        public string Log { get; private set; } = "";

        public async Task InitializeAsync()
        {
            var (exit, log) = await DeployScripts.RunAsync(Path.Combine(DeployScripts.RepositoryRoot, "deploy/publish.sh"), ["linux-x64", Directory], TimeSpan.FromMinutes(15));
            Log = log;
            Assert.True(exit == 0, log);
        }

        public Task DisposeAsync()
        {
            System.IO.Directory.Delete(_root, recursive: true);
            return Task.CompletedTask;
        }
    }
}
