using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Rig.Drivers.Impedance.LeadSwitching;
using Rig.Drivers.Impedance.Simulation;
using Rig.Drivers.Potentiostats.Simulated;
using Rig.Service.Channels;
using Rig.Service.Configuration;
using Rig.Service.Control;
using Rig.Service.Engine;
using Rig.Service.Hardware;
using Rig.Service.Impedance;
using Rig.Service.Recording;
using Rig.Service.Store;
using UnitsNet;

namespace Rig.Service.Tests.Impedance;

/// <summary>
/// The simulated rig with a simulated lead relay on ch1 (wiring B): engine host, impedance runner and the channel
/// loop on one virtual clock, sharing one rig state, plus the rig's safe-state path and e-stop monitor.
/// </summary>
internal sealed class RelayRig : IAsyncDisposable
{
    public const string Channel = "ch1";

    public static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(20);

    private readonly ChannelLoop _loop;

    public RelayRig(bool scripted = true, RigStore? store = null, string? stateDirectory = null)
    {
        Options = new RigOptions { StateDirectory = stateDirectory ?? Path.Combine(Path.GetTempPath(), "rig-relay-" + Guid.NewGuid().ToString("N")) };
        Directory.CreateDirectory(Options.StateDirectory);
        Options.EmergencyStop = new EmergencyStopOptions { Kind = EmergencyStopKind.Simulated };
        var channel = new ChannelOptions();
        channel.Cell.Build.SeparatorThicknessMm = 0.75;
        channel.Cell.Build.CurrentCollector = "Al foil";
        channel.LeadSwitch = new LeadSwitchOptions { Kind = LeadSwitchKind.Simulated, SettleMilliseconds = Settle.TotalMilliseconds };
        Options.Channels[Channel] = channel;
        Hardware = new RigHardwareBuilder(Microsoft.Extensions.Options.Options.Create(Options), Time).Build();
        Relay = Hardware.Simulation.LeadSwitches[Channel];
        Instrument = Hardware.Simulation.Instruments[Channel];
        Host = new EngineHost(Hardware, Recorder, Events, Microsoft.Extensions.Options.Options.Create(Options), Microsoft.Extensions.Options.Options.Create(new EngineOptions()),
            Time, NullLogger<EngineHost>.Instance, State, engineObservers: [Bug]);
        Safety = new RigSafety(Hardware, Microsoft.Extensions.Options.Options.Create(Options), Time, NullLogger<RigSafety>.Instance);
        var impedance = new ImpedanceOptions();
        impedance.Analyzers["eis"] = new ImpedanceAnalyzerOptions { Kind = ImpedanceAnalyzerKind.Simulated, Channels = [Channel] };
        var cell = new SimulatedImpedanceCell(CollectorKind.Pellet, Length.FromMillimeters(0.75), Area.FromSquareCentimeters(0.785));
        Analyzer = new ScriptedAnalyzer(new SimulatedImpedanceAnalyzer("simulated 1260 'eis'", cell, Time), Log);
        Runner = new ImpedanceRunner(Microsoft.Extensions.Options.Options.Create(impedance), Microsoft.Extensions.Options.Options.Create(Options), Host, store, Time,
            NullLogger<ImpedanceRunner>.Instance, Hardware, State, Events, scripted ? _ => Analyzer : null);
        _loop = new ChannelLoop(Hardware.Channels[Channel], State, Events, [Host, Runner], Time, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), NullLogger<ChannelLoop>.Instance);
        Relay.Switched += position =>
        {
            lock (Log)
            {
                Log.Add($"relay {position}, smu {(Instrument.OutputOn ? "on" : "off")}{(Host.PendingImpedance(Channel) is null ? "" : ", step waiting")}");
            }
        };
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));

    public RigOptions Options { get; }

    public RigHardware Hardware { get; }

    public RigState State { get; } = new();

    public RigEvents Events { get; } = new(NullLogger<RigEvents>.Instance);

    public InMemoryTestRecorder Recorder { get; } = new();

    public EngineHost Host { get; }

    public RigSafety Safety { get; }

    public ImpedanceRunner Runner { get; }

    public ScriptedAnalyzer Analyzer { get; }

    public SimulatedLeadSwitch Relay { get; }

    public SimulatedPotentiostatChannel Instrument { get; }

    public ThrowingEngineObserver Bug { get; } = new();

    /// <summary>Relay switches (with the SMU's output and whether the step still waits), sweeps and generator-offs, in order.</summary>
    public List<string> Log { get; } = [];

    /// <summary>Set on every sample: true if the SMU's output was ever on while the relay was not on the SMU.</summary>
    public bool SmuOnWhileEnergised { get; private set; }

    public RunState State1 => Host.Status()[0].State;

    public IReadOnlyList<string> Snapshot()
    {
        lock (Log)
        {
            return [.. Log];
        }
    }

    /// <summary>One sample period: the clock moves 1 s, the loop samples, then the runner is driven until it waits on something but the clock.</summary>
    public async Task TickAsync(Func<bool>? stop = null)
    {
        Time.Advance(TimeSpan.FromSeconds(1));
        await _loop.TickAsync(CancellationToken.None);
        SmuOnWhileEnergised |= Instrument.OutputOn && Relay.Energised;
        await DriveAsync(stop ?? (() => Analyzer.Waiting));
    }

    /// <summary>Moves the clock in small steps (the relay's settle waits) until the runner is idle or <paramref name="stop"/> holds.</summary>
    public async Task DriveAsync(Func<bool> stop)
    {
        for (var i = 0; i < 2000; i++)
        {
            var idle = Runner.WhenIdleAsync(Channel);
            if (idle.IsCompleted || stop())
            {
                SmuOnWhileEnergised |= Instrument.OutputOn && Relay.Energised;
                return;
            }
            Time.Advance(TimeSpan.FromMilliseconds(5));
            await Task.WhenAny(idle, Task.Delay(2));
        }
        throw new TimeoutException("the impedance runner neither finished nor reached the point the test waits for");
    }

    /// <summary>Completes <paramref name="task"/> while moving the clock (a wait that includes a relay settle).</summary>
    public async Task CompleteAsync(Task task)
    {
        for (var i = 0; i < 2000 && !task.IsCompleted; i++)
        {
            Time.Advance(TimeSpan.FromMilliseconds(5));
            await Task.WhenAny(task, Task.Delay(2));
        }
        await task;
    }

    public async ValueTask DisposeAsync()
    {
        await CompleteAsync(Runner.DisposeAsync().AsTask());
        await Hardware.DisposeAsync();
        if (Directory.Exists(Options.StateDirectory))
        {
            Directory.Delete(Options.StateDirectory, recursive: true);
        }
    }

    /// <summary>An engine observer that throws when told: an engine bug on a sample.</summary>
    internal sealed class ThrowingEngineObserver : IEngineObserver
    {
        public bool Throw { get; set; }

        public void OnEngineSample(in EngineTick tick)
        {
            if (Throw)
            {
                throw new InvalidOperationException("injected engine bug");
            }
        }
    }
}
