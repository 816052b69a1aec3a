using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Rig.Drivers.Potentiostats;
using Rig.Service.Channels;
using Rig.Service.Composition;
using Rig.Service.Configuration;
using Rig.Service.Hardware;
using Rig.Service.Thermal;

namespace Rig.Service.Tests.Support;

/// <summary>The default simulated rig from configuration, composed the way the service composes it, on a virtual clock.</summary>
internal sealed class TestRig
{
    public TestRig(Dictionary<string, string?>? overrides = null)
    {
        var settings = SettingsWith(overrides);
        // Each rig its own state directory (checkpoints, calibrations, heater settings, store), unless a test shares one on purpose.
        settings.TryAdd("Rig:StateDirectory", TestScratch.NewStateDirectory());
        Configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        Options = Microsoft.Extensions.Options.Options.Create(Configuration.GetSection("Rig").Get<RigOptions>()!);
        Hardware = new RigHardwareBuilder(Options, Time).Build();
        Events = new RigEvents(NullLogger<RigEvents>.Instance);
        Rig.Service.Interlocks.InterlockAlarms.Attach(State.Interlocks, Events);
        Safety = new RigSafety(Hardware, Options, Time, NullLogger<RigSafety>.Instance);
    }

    public static Dictionary<string, string?> DefaultSettings { get; } = new()
    {
        ["Rig:Id"] = "test-rig",
        ["Rig:EmergencyStop:Kind"] = "Simulated",
        ["Rig:HeaterZones:zone-a:SetpointCelsius"] = "40",
        ["Rig:Channels:ch1:Cell:Name"] = "half-cell-1",
        ["Rig:Channels:ch1:Cell:AreaCm2"] = "0.785",
        ["Rig:Channels:ch1:Cell:Chemistry"] = "AnodeFreeHalfCell",
        ["Rig:Channels:ch1:HeaterZone"] = "zone-a",
        ["Rig:Channels:ch2:Cell:Name"] = "full-cell-1",
        ["Rig:Channels:ch2:Cell:Chemistry"] = "AnodeFreeFullCell",
        ["Rig:Channels:ch2:HeaterZone"] = "zone-a",
    };

    /// <summary>The default settings with some keys changed.</summary>
    public static Dictionary<string, string?> SettingsWith(Dictionary<string, string?>? overrides)
    {
        var settings = new Dictionary<string, string?>(DefaultSettings);
        foreach (var (key, value) in overrides ?? [])
        {
            settings[key] = value;
        }
        return settings;
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));

    public IConfiguration Configuration { get; }

    public IOptions<RigOptions> Options { get; }

    public RigHardware Hardware { get; }

    public RigState State { get; } = new();

    public RigEvents Events { get; }

    public RigSafety Safety { get; }

    public ChannelLoop Loop(string channelId, params IChannelObserver[] observers) =>
        new(Hardware.Channels[channelId], State, Events, observers, Time, Options.Value.SamplePeriod, Options.Value.DeviceTimeout, NullLogger.Instance);

    /// <summary>The channel's loop with its instrument replaced (a hung, slow or blocking one).</summary>
    public ChannelLoop Loop(string channelId, IPotentiostatChannel instrument) =>
        new(Hardware.Channels[channelId] with { Instrument = instrument }, State, Events, [], Time, Options.Value.SamplePeriod,
            Options.Value.DeviceTimeout, NullLogger.Instance);

    /// <summary>The systemd watchdog over this rig's loops, as under systemd with WatchdogSec=30 (pings go nowhere).</summary>
    public SystemdWatchdog Watchdog()
    {
        var services = new ServiceCollection().AddSingleton<ISystemdNotifier>(new EnabledNotifier()).BuildServiceProvider();
        return new SystemdWatchdog(services, State, Options, Time, new SystemdWatchdogTimeout(TimeSpan.FromSeconds(30)),
            NullLogger<SystemdWatchdog>.Instance);
    }

    public EmergencyStopMonitor EmergencyStopMonitor() =>
        new(Hardware.EmergencyStop!, State, Events, Safety, Time, TimeSpan.FromMilliseconds(100));

    /// <summary>The zone's heater controller, as the service runs it (no test engine behind its fault reaction).</summary>
    public HeaterZoneController ZoneController(string zoneId)
    {
        var channels = Hardware.Channels.Values.Where(c => c.Zone?.Id == zoneId).Select(c => c.Id).ToList();
        var reaction = new ZoneFaultReaction(Events, State, Time, new Dictionary<string, IReadOnlyList<string>> { [zoneId] = channels },
            NullLogger<ZoneFaultReaction>.Instance);
        return new HeaterZoneController(Hardware.Zones[zoneId], State, reaction, Time, Options.Value.DeviceTimeout, NullLogger.Instance);
    }

    private sealed class EnabledNotifier : ISystemdNotifier
    {
        public bool IsEnabled => true;

        public void Notify(ServiceState state)
        {
        }
    }
}
