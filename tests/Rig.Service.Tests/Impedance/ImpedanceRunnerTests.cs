using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Rig.Service.Channels;
using Rig.Service.Configuration;
using Rig.Service.Control;
using Rig.Service.Engine;
using Rig.Service.Hardware;
using Rig.Service.Impedance;
using Rig.Service.Recording;
using Rig.Service.Store;

namespace Rig.Service.Tests.Impedance;

/// <summary>The impedance runner beside the engine host on the simulated rig's channel loop, recording into a real SQLite store.</summary>
public sealed class ImpedanceRunnerTests : IDisposable
{
    private const string Protocol = """
        {
          "name": "EIS before and after a plating/stripping cycle",
          "cell": "AnodeFreeHalfCell",
          "safety": { "voltage": "-1 V to 3.5 V", "maxCurrent": "10 mA/cm2" },
          "steps": [
            "Rest for 2 min",
            "Impedance from 1 MHz to 1 Hz at 30 mV, 10 points per decade",
            "Plate at 1 mA/cm2 for 5 min",
            "Strip at 1 mA/cm2 for 5 min",
            "Rest for 2 min",
            "Impedance from 1 MHz to 1 Hz at 30 mV, 10 points per decade"
          ]
        }
        """;

    private readonly string _stateDirectory = Path.Combine(Path.GetTempPath(), "rig-eis-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
    private readonly RigOptions _options;
    private readonly RigHardware _hardware;
    private readonly RigEvents _events = new(NullLogger<RigEvents>.Instance);
    private readonly InMemoryTestRecorder _recorder = new();
    private readonly RigStore _store;

    public ImpedanceRunnerTests()
    {
        Directory.CreateDirectory(_stateDirectory);
        _options = new RigOptions { StateDirectory = _stateDirectory };
        _options.Channels["ch1"] = new ChannelOptions();
        _options.Channels["ch1"].Cell.Build.SeparatorThicknessMm = 0.75;
        _options.Channels["ch1"].Cell.Build.CurrentCollector = "Al pellet";
        _hardware = new RigHardwareBuilder(Options.Create(_options), _time).Build();
        _store = new RigStore(Path.Combine(_stateDirectory, "eis.db"), syncEveryCommit: false);
    }

    public void Dispose()
    {
        _store.Dispose();
        if (Directory.Exists(_stateDirectory))
        {
            Directory.Delete(_stateDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Sweeps_run_with_the_smu_off_are_fitted_stored_and_published_retained_and_the_test_goes_on_to_its_end()
    {
        var host = NewHost();
        await using var runner = NewRunner(host, wired: true);
        var loop = LoopFor(host, runner);
        var smuOnDuringSweep = false;

        Assert.True((await host.StartAsync(new StartTestRequest("ch1", null, Protocol), CancellationToken.None)).Accepted);
        for (var i = 0; i < 2000 && host.Status()[0].State == RunState.Running; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await loop.TickAsync(CancellationToken.None);
            smuOnDuringSweep |= host.PendingImpedance("ch1") is not null && _hardware.Simulation.Instruments["ch1"].OutputOn && i > 0 && !runner.WhenIdleAsync("ch1").IsCompleted;
            await runner.WhenIdleAsync("ch1");
        }

        Assert.Equal(RunState.Finished, host.Status()[0].State);
        Assert.False(smuOnDuringSweep);
        var testId = Assert.Single(_recorder.Starts).TestId;
        var stored = _store.ReadSpectra(testId);
        Assert.Equal(2, stored.Count);
        using var first = JsonDocument.Parse(stored[0]);
        Assert.Equal(61, first.RootElement.GetProperty("points").GetProperty("f_Hz").GetArrayLength());
        var sigma = first.RootElement.GetProperty("ionic_conductivity_S_per_cm").GetProperty("value").GetDouble();
        Assert.InRange(sigma, 0.9e-3, 1.1e-3); // the simulated NBH pellet: 1 mS/cm
        Assert.True(first.RootElement.GetProperty("bias_V").GetDouble() > 0.5, "at OCV: the rest voltage, not 0 V");
        var retained = _store.ReadUnsent(0, 10_000).Where(m => m.Stream == "ch1/spectrum").ToList();
        // Both queued, retained, in order (the lab archive keeps every spectrum; the broker retains the last).
        Assert.Equal([1L, 2L], retained.Select(m => m.Seq));
        Assert.All(retained, m => Assert.True(m.Retain));
        Assert.Equal(2, runner.Measured.Count);
    }

    [Fact]
    public async Task With_the_simulated_lead_relay_eis_before_and_after_plating_runs_to_its_end_switching_around_each_sweep()
    {
        await using var rig = new RelayRig(scripted: false, store: _store, stateDirectory: Path.Combine(_stateDirectory, "relay"));

        Assert.True((await rig.Host.StartAsync(new StartTestRequest(RelayRig.Channel, null, Protocol), CancellationToken.None)).Accepted);
        for (var i = 0; i < 2000 && rig.State1 == RunState.Running; i++)
        {
            await rig.TickAsync();
        }

        Assert.Equal(RunState.Finished, rig.State1);
        Assert.False(rig.SmuOnWhileEnergised);
        Assert.Equal(
            ["relay Analyzer, smu off, step waiting", "relay Smu, smu off, step waiting", "relay Analyzer, smu off, step waiting", "relay Smu, smu off, step waiting"],
            rig.Snapshot());
        var testId = Assert.Single(rig.Recorder.Starts).TestId;
        Assert.Equal(2, _store.ReadSpectra(testId).Count);
        Assert.Equal(2, rig.Runner.Measured.Count);
        // Each sweep lies between its relay's switch to the analyser and the switch back.
        var history = rig.Relay.History;
        foreach (var (measured, k) in rig.Runner.Measured.Select((m, k) => (m, k)))
        {
            Assert.InRange(measured.Spectrum.StartedAt, history[2 * k].At, history[(2 * k) + 1].At);
        }
    }

    [Fact]
    public async Task A_channel_with_no_analyser_wired_pauses_its_test_at_the_impedance_step_with_the_reason()
    {
        var host = NewHost();
        await using var runner = NewRunner(host, wired: false);
        var loop = LoopFor(host, runner);

        Assert.True((await host.StartAsync(new StartTestRequest("ch1", null, Protocol), CancellationToken.None)).Accepted);
        for (var i = 0; i < 300 && host.Status()[0].State == RunState.Running; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await loop.TickAsync(CancellationToken.None);
            await runner.WhenIdleAsync("ch1");
        }

        var status = host.Status()[0];
        Assert.Equal(RunState.Paused, status.State);
        Assert.Contains("no impedance analyser is wired to channel ch1", status.Reason, StringComparison.Ordinal);
        Assert.StartsWith("Impedance", status.StepText, StringComparison.Ordinal);
        Assert.False(_hardware.Simulation.Instruments["ch1"].OutputOn);
    }

    [Fact]
    public void Options_name_the_key_that_is_wrong()
    {
        var options = new ImpedanceOptions();
        options.Analyzers["eis"] = new ImpedanceAnalyzerOptions { Kind = ImpedanceAnalyzerKind.Solartron1260, Address = "usbtmc:///dev/usbtmc0", GpibAddress = 31 };
        options.Analyzers["eis2"] = new ImpedanceAnalyzerOptions { Channels = ["ch1"] };
        options.Analyzers["eis3"] = new ImpedanceAnalyzerOptions { Channels = ["ch1"] };

        var problems = options.Validate();

        Assert.Contains(problems, p => p.StartsWith("Impedance:Analyzers:eis:Address", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Impedance:Analyzers:eis:GpibAddress", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Impedance:Analyzers:eis:Channels", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Impedance:Analyzers:eis3:Channels", StringComparison.Ordinal) && p.Contains("eis2", StringComparison.Ordinal));
    }

    private EngineHost NewHost() => new(_hardware, _recorder, _events, Options.Create(_options), Options.Create(new EngineOptions()), _time, NullLogger<EngineHost>.Instance);

    private ImpedanceRunner NewRunner(EngineHost host, bool wired)
    {
        var options = new ImpedanceOptions();
        if (wired)
        {
            options.Analyzers["eis"] = new ImpedanceAnalyzerOptions { Kind = ImpedanceAnalyzerKind.Simulated, Channels = ["ch1"] };
        }
        return new ImpedanceRunner(Options.Create(options), Options.Create(_options), host, _store, _time, NullLogger<ImpedanceRunner>.Instance);
    }

    private ChannelLoop LoopFor(EngineHost host, ImpedanceRunner runner) =>
        new(_hardware.Channels["ch1"], new RigState(), _events, [host, runner], _time, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), NullLogger<ChannelLoop>.Instance);
}
