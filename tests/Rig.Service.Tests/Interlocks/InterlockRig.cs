using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rig.Service.Channels;
using Rig.Service.Control;
using Rig.Service.Engine;
using Rig.Service.Hardware;
using Rig.Service.Interlocks;
using Rig.Service.PressureSupervision;
using Rig.Service.Recording;
using Rig.Service.Store;
using Rig.Service.Tests.Support;
using Rig.Service.Thermal;

namespace Rig.Service.Tests.Interlocks;

/// <summary>
/// The default simulated rig (ch1 half cell, ch2 full cell, both on zone-a, an e-stop) composed as the service
/// composes it: e-stop monitor, zone loop with its safety watcher, a channel loop per channel feeding the pressure
/// supervisor and the engine, one shared <see cref="RigState"/>. Stepped one second at a time on a virtual clock.
/// </summary>
internal sealed class InterlockRig : IDisposable
{
    private readonly List<ChannelLoop> _loops = [];
    private readonly EmergencyStopMonitor _monitor;

    public InterlockRig(Dictionary<string, string?>? overrides = null, ITestRecorder? recorder = null, IChannelObserver? extraOnCh1 = null,
        Func<string, CheckpointStore>? checkpoints = null, IEnumerable<IEngineObserver>? engineObservers = null,
        Func<HeaterZoneHardware, HeaterZoneHardware>? zoneDevices = null)
    {
        Rig = new TestRig(overrides);
        Recorder = recorder ?? new InMemoryTestRecorder();
        Availability = new StoreAvailability(Rig.State, Rig.Time);
        Engine = new EngineHost(Rig.Hardware, Recorder, Rig.Events, Rig.Options, Options.Create(new EngineOptions()), Rig.Time,
            NullLogger<EngineHost>.Instance, Rig.State, null, Availability,
            checkpoints?.Invoke(Path.Combine(Rig.Options.Value.ResolveStateDirectory(), "checkpoints")), engineObservers);
        Supervisor = new PressureSupervisor(Rig.Hardware, Rig.Events, Rig.State, Rig.Time, Engine, Rig.Options, NullLogger<PressureSupervisor>.Instance);
        var channelsByZone = Rig.Hardware.Channels.Values.Where(c => c.Zone is not null).GroupBy(c => c.Zone!.Id)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(c => c.Id)]);
        var reaction = new ZoneFaultReaction(Rig.Events, Rig.State, Rig.Time, channelsByZone, NullLogger<ZoneFaultReaction>.Instance);
        var zoneHardware = zoneDevices is null ? Rig.Hardware : new RigHardware(Rig.Hardware.Channels,
            Rig.Hardware.Zones.ToDictionary(z => z.Key, z => zoneDevices(z.Value)), Rig.Hardware.EmergencyStop, Rig.Hardware.Simulation);
        Zones = new HeaterZones(zoneHardware, Rig.Options, Rig.State, reaction, Rig.Time, NullLoggerFactory.Instance);
        foreach (var zone in Zones.Controllers)
        {
            zone.StartWatching();
        }
        Commands = new InterlockCommands(Rig.State, Rig.Safety, Zones, Rig.Time);
        foreach (var channel in Rig.Hardware.Channels.Keys.Order(StringComparer.Ordinal))
        {
            IChannelObserver[] observers = channel == "ch1" && extraOnCh1 is not null ? [Supervisor, Engine, extraOnCh1] : [Supervisor, Engine];
            _loops.Add(Rig.Loop(channel, observers));
        }
        _monitor = Rig.EmergencyStopMonitor();
        Rig.Events.Raised += Raised.Add;
    }

    public TestRig Rig { get; }

    public ITestRecorder Recorder { get; }

    public StoreAvailability Availability { get; }

    public EngineHost Engine { get; }

    public PressureSupervisor Supervisor { get; }

    public HeaterZones Zones { get; }

    public InterlockCommands Commands { get; }

    public List<RigEvent> Raised { get; } = [];

    /// <summary>When false the zone loop is not ticked (a hung sensor read): its reading grows old.</summary>
    public bool ZoneLoopRuns { get; set; } = true;

    public bool OutputOn(string channel) => Rig.Hardware.Simulation.Instruments[channel].OutputOn;

    public double HeaterDuty => Rig.Hardware.Zones["zone-a"].Heater.Duty.DecimalFractions;

    public RunState RunState(string channel) => Engine.Status().Single(s => s.ChannelId == channel).State;

    public IReadOnlyList<Interlock> Held(string channel) => Rig.State.Interlocks.Active(channel);

    public void PressEmergencyStop(bool pressed) => Rig.Hardware.Simulation.EmergencyStop!.Set(pressed);

    /// <summary>Runs every loop once per second of rig time: e-stop first, then the zone, then the channels.</summary>
    public async Task RunAsync(TimeSpan duration)
    {
        var end = Rig.Time.GetUtcNow() + duration;
        while (Rig.Time.GetUtcNow() < end)
        {
            Rig.Time.Advance(TimeSpan.FromSeconds(1));
            await _monitor.TickAsync();
            if (ZoneLoopRuns)
            {
                foreach (var zone in Zones.Controllers)
                {
                    await zone.TickAsync(CancellationToken.None);
                }
            }
            foreach (var loop in _loops)
            {
                await loop.TickAsync(CancellationToken.None);
            }
        }
    }

    public async Task<CommandResult> StartAsync(string channel, string preset = "plating-stripping-1mAh") =>
        await Engine.StartAsync(new StartTestRequest(channel, preset, null), CancellationToken.None);

    public void Dispose() => Zones.Dispose();
}
