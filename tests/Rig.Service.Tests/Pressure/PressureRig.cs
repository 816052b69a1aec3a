using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Rig.Drivers.Cells;
using Rig.Drivers.LoadCells.Simulated;
using Rig.Drivers.Potentiostats.Simulated;
using Rig.Service.Channels;
using Rig.Service.Configuration;
using Rig.Service.Control;
using Rig.Service.Hardware;
using Rig.Service.PressureSupervision;
using UnitsNet;

namespace Rig.Service.Tests.PressureSupervision;

/// <summary>
/// One channel of the rig on a fake clock: a simulated half cell plating under a constant current, its spring clamp
/// read through the calibration path, the real channel loop, and the pressure supervisor observing it.
/// </summary>
internal sealed class PressureRig
{
    public static readonly TimeSpan SamplePeriod = TimeSpan.FromMinutes(1);

    public PressureRig(ChannelOptions options, bool withEngine = true)
    {
        var rig = new RigOptions { StateDirectory = Path.Combine(Path.GetTempPath(), "rig-pressure-" + Guid.NewGuid().ToString("N")) };
        rig.Channels["ch1"] = options;
        Cell = new SimulatedCell(new AnodeFreeHalfCell(options.Cell.AreaCm2, options.Simulation.HalfCell), Time, () => Temperature.FromDegreesCelsius(22), options.Simulation.Noise);
        Instrument = new SimulatedPotentiostatChannel(Cell, Time, "sim-smu:ch1");
        Clamp = new SimulatedSpringClamp(options.Simulation.Clamp, Time, () => Cell.StackGrowth, "sim-loadcell:ch1");
        var sensor = new LoadCellFactory(rig, Time).Simulated("ch1", options, Clamp);
        var channel = new ChannelHardware("ch1", options, Instrument, sensor, null);
        var hardware = new RigHardware(new Dictionary<string, ChannelHardware> { ["ch1"] = channel }, new Dictionary<string, HeaterZoneHardware>(), null, new SimulatedDevices());
        Events = new RigEvents(NullLogger<RigEvents>.Instance);
        Events.Raised += e => Raised.Add(e);
        Supervisor = new PressureSupervisor(hardware, Events, State, Time, withEngine ? Engine : null, Options.Create(rig), NullLogger<PressureSupervisor>.Instance);
        Loop = new ChannelLoop(channel, State, Events, [Supervisor], Time, SamplePeriod, TimeSpan.FromSeconds(3), NullLogger.Instance);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));
    public SimulatedCell Cell { get; }
    public SimulatedPotentiostatChannel Instrument { get; }
    public SimulatedSpringClamp Clamp { get; }
    public RigEvents Events { get; }
    public RigState State { get; } = new();
    public List<RigEvent> Raised { get; } = [];
    public RecordingEngine Engine { get; } = new();
    public PressureSupervisor Supervisor { get; }
    public ChannelLoop Loop { get; }

    public static ChannelOptions Channel(double springRateNewtonsPerMicrometre, PressureAction action = PressureAction.Pause) => new()
    {
        Cell = new CellOptions { Name = "HC-test", AreaCm2 = 0.785 },
        Clamp = new ClampOptions { Kind = LoadCellKind.Simulated, RatedForceNewtons = 2000, RatedOutputMillivoltsPerVolt = 2.0 },
        Pressure = new PressureWindowOptions
        {
            TargetMegapascals = 10,
            WarningMegapascals = 0.25,
            WindowMegapascals = 1,
            FaultMegapascals = 3,
            MaxDriftMegapascalsPerHour = 5,
            OnOutOfWindow = action,
        },
        Simulation = new ChannelSimulationOptions
        {
            Clamp = new SpringClampParameters { SpringRateNewtonsPerMicrometre = springRateNewtonsPerMicrometre, DriftNewtonsPerHour = 0 },
        },
    };

    /// <summary>Plates sodium at 1 mA/cm² (half cell: negative current plates).</summary>
    public async Task PlateAsync(double milliampsPerSquareCentimetre = 1) =>
        await Instrument.SourceCurrentAsync(ElectricCurrent.FromMilliamperes(-milliampsPerSquareCentimetre * Cell.Area.SquareCentimeters), ElectricPotential.FromVolts(5), CancellationToken.None);

    public async Task StripAsync(double milliampsPerSquareCentimetre = 1) =>
        await Instrument.SourceCurrentAsync(ElectricCurrent.FromMilliamperes(milliampsPerSquareCentimetre * Cell.Area.SquareCentimeters), ElectricPotential.FromVolts(5), CancellationToken.None);

    /// <summary>Runs the channel loop for this long of rig time, one sample per period.</summary>
    public async Task RunForAsync(TimeSpan duration, Func<bool>? stopWhen = null)
    {
        var end = Time.GetUtcNow() + duration;
        while (Time.GetUtcNow() < end && stopWhen?.Invoke() != true)
        {
            Time.Advance(SamplePeriod);
            await Loop.TickAsync(CancellationToken.None);
        }
    }
}

/// <summary>Stands in for the cycling engine (another area): records what the supervisor asked of it.</summary>
internal sealed class RecordingEngine : ITestControl
{
    public List<(string Verb, string Channel, string Reason)> Calls { get; } = [];

    public Task<CommandResult> PauseAsync(string channelId, string reason, CancellationToken cancellationToken)
    {
        Calls.Add(("pause", channelId, reason));
        return Task.FromResult(CommandResult.Ok("paused"));
    }

    public Task<CommandResult> AbortAsync(string channelId, string reason, CancellationToken cancellationToken)
    {
        Calls.Add(("abort", channelId, reason));
        return Task.FromResult(CommandResult.Ok("aborted"));
    }

    public Task<CommandResult> StartAsync(StartTestRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(CommandResult.Refused("not used by the pressure tests"));

    public Task<CommandResult> ResumeAsync(string channelId, CancellationToken cancellationToken) =>
        Task.FromResult(CommandResult.Refused("not used by the pressure tests"));

    public IReadOnlyList<ChannelRunStatus> Status() => [];
}
