using Rig.Drivers.Impedance;
using Rig.Drivers.Impedance.Gpib;
using Rig.Drivers.Impedance.Simulation;
using Rig.Drivers.Impedance.Solartron1260;
using Rig.Drivers.Potentiostats.Scpi;
using Rig.Drivers.Potentiostats.Scpi.Transports;

namespace Rig.Drivers.Tests.Impedance;

/// <summary>The real 1260 driver, through a real TCP socket on 127.0.0.1, to the simulated adapter and analyser.</summary>
internal sealed class SimulatedAnalyzerOnLoopback : IAsyncDisposable
{
    public const int GpibAddress = 5;

    private SimulatedAnalyzerOnLoopback(PrologixSimulatorServer server, SimulatedSolartron1260 analyser, Solartron1260Analyzer driver)
    {
        Server = server;
        Analyser = analyser;
        Driver = driver;
    }

    public PrologixSimulatorServer Server { get; }

    public SimulatedSolartron1260 Analyser { get; }

    public Solartron1260Analyzer Driver { get; }

    /// <summary>Real time with short bounds: the waits under test are a few hundred milliseconds.</summary>
    public static SimulatedAnalyzerOnLoopback Start(EquivalentCircuit circuit, IGpibDevice? atAddress = null, int seed = 1)
    {
        var time = TimeProvider.System;
        var server = new PrologixSimulatorServer(time);
        var analyser = new SimulatedSolartron1260(() => circuit, time, seed);
        server.Attach(GpibAddress, atAddress ?? analyser);
        server.Start();
        var session = new ScpiSession(new TcpScpiTransport(server.Host, server.Port), $"solartron1260 gpib{GpibAddress} via {server.Address}", time,
            new ScpiTimeouts(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1.5)));
        var adapter = new PrologixGpibAdapter(session, GpibAddress, TimeSpan.FromMilliseconds(200));
        var driver = new Solartron1260Analyzer(adapter, time, new Solartron1260Timing(TimeSpan.Zero, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(300)));
        return new SimulatedAnalyzerOnLoopback(server, analyser, driver);
    }

    /// <summary>A 70 mg NBH pellet on Al pellet, fresh: R_b ≈ 96 Ω, arcs at 300 kHz and 100 Hz, a Warburg tail.</summary>
    public static EquivalentCircuit Pellet => SimulatedImpedanceCell.PaperPellet(CollectorKind.Pellet).Circuit();

    public async ValueTask DisposeAsync()
    {
        await Driver.DisposeAsync();
        await Server.DisposeAsync();
    }
}
