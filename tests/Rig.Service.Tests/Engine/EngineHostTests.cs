using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rig.Service.Channels;
using Rig.Service.Composition;
using Rig.Service.Configuration;
using Rig.Service.Control;
using Rig.Service.Engine;
using Rig.Service.Recording;
using Rig.Service.Tests.Support;

namespace Rig.Service.Tests.Engine;

public sealed class EngineHostTests : IDisposable
{
    private readonly string _stateDirectory = Path.Combine(Path.GetTempPath(), "rig-host-" + Guid.NewGuid().ToString("N"));
    private readonly InMemoryTestRecorder _recorder = new();
    private readonly EngineRig _rig;

    public EngineHostTests() => _rig = new EngineRig(_stateDirectory, recorder: _recorder);

    public void Dispose()
    {
        if (Directory.Exists(_stateDirectory))
        {
            Directory.Delete(_stateDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Start_pause_resume_abort_drive_the_instrument_from_the_channel_loop_and_a_restart_leaves_the_test_interrupted()
    {
        var host = _rig.NewHost();
        var loop = _rig.LoopFor(host);

        var started = await host.StartAsync(new StartTestRequest("ch1", "plating-stripping-1mAh", null), CancellationToken.None);
        Assert.True(started.Accepted, started.Message);
        await TicksAsync(loop, 5);
        Assert.Equal(RunState.Running, host.Status()[0].State);
        // The preset rests 10 min first: at 0 A with the output on, so the instrument reads the open-circuit voltage.
        Assert.True(_rig.Hardware.Simulation.Instruments["ch1"].OutputOn);
        var rest = _recorder.RecentSamples.Where(s => s.StepType == "Rest").ToList();
        Assert.NotEmpty(rest);
        Assert.All(rest, s => Assert.True(Math.Abs(s.CurrentAmperes) < 1e-6 && s.VoltageVolts > 1.0, $"rest sample {s.VoltageVolts} V, {s.CurrentAmperes} A"));
        await TicksAsync(loop, 600);
        Assert.True(_rig.Hardware.Simulation.Instruments["ch1"].OutputOn);

        Assert.True((await host.PauseAsync("ch1", "pressure out of window", CancellationToken.None)).Accepted);
        await TicksAsync(loop, 1);
        Assert.Equal(RunState.Paused, host.Status()[0].State);
        Assert.False(_rig.Hardware.Simulation.Instruments["ch1"].OutputOn);

        Assert.True((await host.ResumeAsync("ch1", CancellationToken.None)).Accepted);
        await TicksAsync(loop, 60);
        Assert.True(_rig.Hardware.Simulation.Instruments["ch1"].OutputOn);
        Assert.False((await host.StartAsync(new StartTestRequest("ch1", "ccd-ramp", null), CancellationToken.None)).Accepted);

        // The process dies: a new host over the same state directory finds the test interrupted, resumable.
        var restarted = _rig.NewHost();
        var status = restarted.Status()[0];
        Assert.Equal(RunState.Interrupted, status.State);
        Assert.StartsWith("Plate", status.StepText, StringComparison.Ordinal);
        Assert.True((await restarted.AbortAsync("ch1", "operator", CancellationToken.None)).Accepted);
        Assert.Equal(RunState.Aborted, restarted.Status()[0].State);
        await TicksAsync(_rig.LoopFor(restarted), 1); // records reach the recorder in order, from the channel loop
        Assert.Contains(_recorder.Ends, e => e.FinalState == RunState.Aborted && e.Reason == "operator");
        Assert.Equal(started.Id, Assert.Single(_recorder.Starts).TestId);
        Assert.Contains(_recorder.RecentSamples, s => s.StepType == "Plate" && s.StackPressurePascals is > 9e6 and < 11e6);
    }

    [Fact]
    public async Task A_protocol_that_does_not_fit_the_channel_is_refused_before_the_cell_is_touched()
    {
        var host = _rig.NewHost();

        var fullCellOnHalfCell = await host.StartAsync(new StartTestRequest("ch1", "anode-free-full-cell", null), CancellationToken.None);
        var badText = await host.StartAsync(new StartTestRequest("ch1", null,
            """{ "name": "x", "safety": { "voltage": "-1 V to 3 V", "maxCurrent": "1 mA/cm2" }, "steps": [ "Plate at 1 mA/cm2 until never" ] }"""), CancellationToken.None);
        var tooMuchCurrent = await host.StartAsync(new StartTestRequest("ch1", "ccd-ramp", null, new Dictionary<string, string> { ["start"] = "2000 mA/cm2" }), CancellationToken.None);

        Assert.False(fullCellOnHalfCell.Accepted);
        Assert.Contains("AnodeFreeFullCell", fullCellOnHalfCell.Message, StringComparison.Ordinal);
        Assert.False(badText.Accepted);
        Assert.Contains("steps[0] \"Plate at 1 mA/cm2 until never\"", badText.Message, StringComparison.Ordinal);
        Assert.False(tooMuchCurrent.Accepted);
        Assert.False(_rig.Hardware.Simulation.Instruments["ch1"].OutputOn);
        Assert.Equal(RunState.Idle, host.Status()[0].State);
    }

    [Fact]
    public async Task AddRig_registers_the_engine_as_test_control_and_channel_observer_recording_into_the_store()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Rig:StateDirectory"] = _stateDirectory,
            ["Rig:Channels:ch1:Cell:AreaCm2"] = "0.785",
            ["Rig:Channels:ch1:Cell:Name"] = "NBH-Al-07",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddRig(configuration);
        await using var provider = services.BuildServiceProvider();

        var control = provider.GetRequiredService<ITestControl>();

        Assert.IsType<EngineHost>(control);
        Assert.Contains(provider.GetServices<IChannelObserver>(), o => ReferenceEquals(o, control));
        // the SQLite store replaces the engine's in-memory default
        Assert.IsType<Rig.Service.Store.StoreTestRecorder>(provider.GetRequiredService<ITestRecorder>());
    }

    [Fact]
    public void Engine_options_name_the_key_that_is_wrong()
    {
        var result = new EngineOptionsValidator().Validate(null, new EngineOptions { CheckpointPeriod = TimeSpan.FromSeconds(-1), PresetDirectory = "/nonexistent/presets" });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("Engine:CheckpointPeriod", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Engine:PresetDirectory", StringComparison.Ordinal));
    }

    private async Task TicksAsync(ChannelLoop loop, int count)
    {
        for (var i = 0; i < count; i++)
        {
            _rig.Time.Advance(TimeSpan.FromSeconds(1));
            await loop.TickAsync(CancellationToken.None);
        }
    }
}
