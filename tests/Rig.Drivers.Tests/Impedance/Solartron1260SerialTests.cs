using Rig.Drivers.Faults;
using Rig.Drivers.Impedance;
using Rig.Drivers.Impedance.Gpib;
using Rig.Drivers.Impedance.Simulation;
using Rig.Drivers.Impedance.Solartron1260;
using Rig.Drivers.Potentiostats.Scpi;
using Rig.Drivers.Potentiostats.Scpi.Transports;

namespace Rig.Drivers.Tests.Impedance;

/// <summary>
/// The Prologix GPIB-USB path: the driver opens a serial device (System.IO.Ports, as "serial:///dev/ttyUSB0" would)
/// that is a kernel pseudo-terminal carrying the simulated adapter and 1260.
/// </summary>
public sealed class Solartron1260SerialTests
{
    [Fact]
    public async Task The_papers_sweep_runs_over_a_serial_port_as_through_a_Prologix_GPIB_USB()
    {
        var circuit = SimulatedAnalyzerOnLoopback.Pellet;
        var (server, analyser) = Simulator(circuit, attachAnalyser: true);
        await using var _ = server;
        await using var bridge = await PseudoTerminalBridge.OpenAsync(server.Host, server.Port);
        await using var driver = Driver(bridge.SlavePath);

        var spectrum = await driver.SweepAsync(ImpedanceSweep.Paper, null, CancellationToken.None);

        Assert.Equal(61, spectrum.Points.Count);
        foreach (var point in spectrum.Points)
        {
            var expected = circuit.Impedance(point.Frequency.Hertz);
            Assert.True((point.Impedance - expected).Magnitude < 0.02 * expected.Magnitude, $"{point.Frequency}: {point.Impedance} vs {expected}");
        }
        Assert.Equal(0, analyser.AmplitudeVolts);
        Assert.Contains(Solartron1260Commands.Reset, analyser.Received);
    }

    [Fact]
    public async Task Nothing_at_the_gpib_address_behind_a_serial_adapter_is_a_bounded_typed_fault()
    {
        var (server, _) = Simulator(SimulatedAnalyzerOnLoopback.Pellet, attachAnalyser: false);
        server.Attach(SimulatedAnalyzerOnLoopback.GpibAddress, new Solartron1260LoopbackTests.SilentDevice());
        await using var _ = server;
        await using var bridge = await PseudoTerminalBridge.OpenAsync(server.Host, server.Port);
        await using var driver = Driver(bridge.SlavePath);

        var fault = await Assert.ThrowsAsync<HardwareFaultException>(() => driver.ConnectAsync(CancellationToken.None).AsTask());

        Assert.Equal(FaultKind.DeviceTimeout, fault.Kind);
    }

    private static (PrologixSimulatorServer Server, SimulatedSolartron1260 Analyser) Simulator(EquivalentCircuit circuit, bool attachAnalyser)
    {
        var server = new PrologixSimulatorServer(TimeProvider.System);
        var analyser = new SimulatedSolartron1260(() => circuit, TimeProvider.System, seed: 1);
        if (attachAnalyser)
        {
            server.Attach(SimulatedAnalyzerOnLoopback.GpibAddress, analyser);
        }
        server.Start();
        return (server, analyser);
    }

    // The address a lab writes in Impedance:Analyzers:<id>:Address for a GPIB-USB, parsed as the service parses it.
    private static Solartron1260Analyzer Driver(string device)
    {
        var time = TimeProvider.System;
        var address = ScpiAddress.Parse($"serial://{device}?baud=115200");
        var session = new ScpiSession(address.CreateTransport(TimeSpan.FromSeconds(1.5)), $"solartron1260 via {device}", time,
            new ScpiTimeouts(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1.5)));
        var adapter = new PrologixGpibAdapter(session, SimulatedAnalyzerOnLoopback.GpibAddress, TimeSpan.FromMilliseconds(200));
        return new Solartron1260Analyzer(adapter, time, new Solartron1260Timing(TimeSpan.Zero, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(300)));
    }
}
