using Microsoft.Extensions.Time.Testing;
using Rig.Drivers.Cells;
using Rig.Drivers.Potentiostats.Scpi;
using Rig.Drivers.Potentiostats.Scpi.Dialects;
using Rig.Drivers.Potentiostats.Scpi.Simulation;
using Rig.Drivers.Potentiostats.Scpi.Transports;
using UnitsNet;

namespace Rig.Drivers.Tests.Potentiostats;

/// <summary>
/// A simulated Keithley 2450 with an anode-free half cell on its terminals, served on a free 127.0.0.1 port, and
/// the real driver connected to it over TCP. The cell runs on a virtual clock the test advances; the driver's
/// time-outs run on the wall clock, as they would on the rig.
/// </summary>
internal sealed class SimulatedInstrumentOnLoopback : IAsyncDisposable
{
    public static readonly ScpiTimeouts ShortTimeouts = new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2));

    private SimulatedInstrumentOnLoopback(FakeTimeProvider cellClock, Keithley2450Simulator instrument, ScpiSimulatorServer server, ScpiPotentiostatChannel driver)
    {
        CellClock = cellClock;
        Instrument = instrument;
        Server = server;
        Driver = driver;
    }

    public FakeTimeProvider CellClock { get; }

    public Keithley2450Simulator Instrument { get; }

    public ScpiSimulatorServer Server { get; }

    public ScpiPotentiostatChannel Driver { get; }

    public SimulatedSmuChannel Smu => Instrument.Channel;

    public static SimulatedInstrumentOnLoopback Start(IScpiSmuDialect? dialect = null)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
        var cell = new SimulatedCell(new AnodeFreeHalfCell(0.785, new HalfCellParameters()), clock, () => Temperature.FromDegreesCelsius(25));
        var instrument = new Keithley2450Simulator(new SimulatedSmuChannel(cell), clock);
        var server = new ScpiSimulatorServer(instrument, TimeProvider.System);
        server.Start();
        var session = new ScpiSession(ScpiAddress.Parse(server.Address).CreateTransport(ShortTimeouts.Response),
            $"keithley2450 {server.Address}", TimeProvider.System, ShortTimeouts);
        var driver = new ScpiPotentiostatChannel(dialect ?? Keithley2400SeriesDialect.Keithley2450(), session, TimeProvider.System);
        return new SimulatedInstrumentOnLoopback(clock, instrument, server, driver);
    }

    public async ValueTask DisposeAsync()
    {
        await Driver.DisposeAsync();
        await Server.DisposeAsync();
    }
}
