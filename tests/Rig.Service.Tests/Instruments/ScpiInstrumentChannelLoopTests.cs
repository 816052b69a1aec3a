using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Rig.Drivers.Cells;
using Rig.Drivers.Faults;
using Rig.Drivers.Potentiostats.Scpi;
using Rig.Drivers.Potentiostats.Scpi.Simulation;
using Rig.Service.Channels;
using Rig.Service.Configuration;
using Rig.Service.Hardware;
using UnitsNet;

namespace Rig.Service.Tests.Instruments;

/// <summary>
/// A channel configured as Kind=Keithley2450 at the simulator's tcp:// address, built by RigHardwareBuilder and
/// sampled by the real ChannelLoop over a real loopback socket.
/// </summary>
public sealed class ScpiInstrumentChannelLoopTests : IAsyncLifetime
{
    private const string ChannelId = "ch1";
    private readonly FakeTimeProvider _cellClock = new(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
    private readonly Keithley2450Simulator _instrument;
    private readonly ScpiSimulatorServer _server;
    private readonly RigState _state = new();
    private readonly RigEvents _events = new(NullLogger<RigEvents>.Instance);
    private readonly List<RigEvent> _raised = [];

    public ScpiInstrumentChannelLoopTests()
    {
        var cell = new SimulatedCell(new AnodeFreeHalfCell(0.785, new HalfCellParameters()), _cellClock, () => Temperature.FromDegreesCelsius(25));
        _instrument = new Keithley2450Simulator(new SimulatedSmuChannel(cell), _cellClock);
        _server = new ScpiSimulatorServer(_instrument, TimeProvider.System);
        _server.Start();
        _events.Raised += _raised.Add;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_dropped_link_mid_step_is_a_published_fault_and_the_output_is_turned_off_when_the_link_returns()
    {
        var hardware = Build(InstrumentKind.Keithley2450);
        var channel = hardware.Channels[ChannelId];
        var loop = Loop(channel);
        Assert.IsType<ScpiPotentiostatChannel>(channel.Instrument);
        await channel.Instrument.SourceCurrentAsync(ElectricCurrent.FromMilliamperes(-0.785), ElectricPotential.FromVolts(2.5), CancellationToken.None);
        await loop.TickAsync(CancellationToken.None);
        Assert.True(_state.Channel(ChannelId).Latest?.OutputOn);

        _server.AcceptingConnections = false;
        _server.DropConnections();
        await loop.TickAsync(CancellationToken.None); // must not throw: the loop turns link loss into a fault

        var fault = Assert.Single(_state.Channel(ChannelId).Faults);
        Assert.Equal(FaultKind.InstrumentLinkLost, fault.Kind);
        Assert.Contains(_raised, e => e.Severity == RigEventSeverity.Alarm && e.Code == "fault.instrument_link_lost");
        Assert.True(_instrument.Channel.OutputOn);

        _server.AcceptingConnections = true;
        await loop.TickAsync(CancellationToken.None);

        Assert.False(_instrument.Channel.OutputOn);
        Assert.Empty(_state.Channel(ChannelId).Faults);
        Assert.Contains(_raised, e => e.Code == "device.recovered");
    }

    [Fact]
    public async Task A_channel_configured_for_another_instrument_is_refused_with_an_instrument_mismatch_fault()
    {
        var hardware = Build(InstrumentKind.KeysightB2901A);
        var loop = Loop(hardware.Channels[ChannelId]);

        await loop.TickAsync(CancellationToken.None);

        var fault = Assert.Single(_state.Channel(ChannelId).Faults);
        Assert.Equal(FaultKind.InstrumentMismatch, fault.Kind);
        Assert.Contains("MODEL 2450", fault.Message);
        Assert.Null(_state.Channel(ChannelId).Latest);
    }

    [Fact]
    public void An_unparseable_instrument_address_is_named_by_its_key()
    {
        var options = Options(InstrumentKind.Keithley2450);
        options.Channels[ChannelId].Instrument.Address = "gpib://18";

        var result = new RigOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("Rig:Channels:ch1:Instrument:Address:", StringComparison.Ordinal) && f.Contains("gpib"));
    }

    private RigHardware Build(InstrumentKind kind) =>
        new RigHardwareBuilder(Microsoft.Extensions.Options.Options.Create(Options(kind)), TimeProvider.System).Build();

    private RigOptions Options(InstrumentKind kind)
    {
        var options = new RigOptions { DeviceTimeout = TimeSpan.FromSeconds(4) };
        options.Channels[ChannelId] = new ChannelOptions
        {
            Cell = new CellOptions { Name = "HC-loopback" },
            Instrument = new InstrumentOptions { Kind = kind, Address = _server.Address },
        };
        return options;
    }

    private ChannelLoop Loop(ChannelHardware channel) =>
        new(channel, _state, _events, [], TimeProvider.System, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4), NullLogger<ChannelLoop>.Instance);
}
