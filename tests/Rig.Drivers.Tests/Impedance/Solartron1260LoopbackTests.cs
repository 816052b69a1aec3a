using Rig.Drivers.Faults;
using Rig.Drivers.Impedance;
using Rig.Drivers.Impedance.Simulation;
using Rig.Drivers.Impedance.Solartron1260;
using UnitsNet;

namespace Rig.Drivers.Tests.Impedance;

/// <summary>The Solartron 1260 driver against the simulated adapter and analyser over real TCP on 127.0.0.1.</summary>
public sealed class Solartron1260LoopbackTests
{
    [Fact]
    public async Task The_papers_sweep_returns_61_points_from_1_MHz_to_1_Hz_close_to_the_cells_impedance_and_leaves_the_generator_at_zero()
    {
        var circuit = SimulatedAnalyzerOnLoopback.Pellet;
        await using var rig = SimulatedAnalyzerOnLoopback.Start(circuit);
        var reported = new List<ImpedancePoint>();

        var spectrum = await rig.Driver.SweepAsync(ImpedanceSweep.Paper, new SynchronousProgress(reported.Add), CancellationToken.None);

        Assert.Equal(61, spectrum.Points.Count);
        Assert.Equal(spectrum.Points, reported);
        Assert.Equal(1e6, spectrum.Points[0].Frequency.Hertz, 1e-3);
        Assert.Equal(1, spectrum.Points[^1].Frequency.Hertz, 1e-9);
        foreach (var point in spectrum.Points)
        {
            var expected = circuit.Impedance(point.Frequency.Hertz);
            Assert.Equal(ImpedancePointStatus.Ok, point.Status);
            Assert.True((point.Impedance - expected).Magnitude < 0.02 * expected.Magnitude, $"{point.Frequency}: {point.Impedance} vs {expected}");
        }
        Assert.True(spectrum.Points[^1].Imaginary < 0, "a capacitive cell: Z'' negative");
        Assert.Equal(0, rig.Analyser.AmplitudeVolts);
        Assert.Equal(0, rig.Analyser.BiasVolts);
        Assert.Contains("VA 3E-02", rig.Analyser.Received);
        // One cycle minimum per point: the sweep would take about 2.4 s of analyser time below 10 Hz alone.
        Assert.True(rig.Analyser.MeasuringTime > TimeSpan.FromSeconds(5), rig.Analyser.MeasuringTime.ToString());
    }

    [Fact]
    public async Task Connect_resets_the_analyser_and_sets_the_data_path_before_anything_is_measured()
    {
        await using var rig = SimulatedAnalyzerOnLoopback.Start(SimulatedAnalyzerOnLoopback.Pellet);

        await rig.Driver.ConnectAsync(CancellationToken.None);

        var received = rig.Analyser.Received;
        Assert.Equal(Solartron1260Commands.Reset, received[0]);
        Assert.Equal(Solartron1260Commands.DataPath, received.Skip(1).Take(4));
        Assert.Contains(Solartron1260Commands.SingleMeasurement, received.Skip(5));
    }

    [Fact]
    public async Task A_cell_whose_current_overloads_the_input_gives_flagged_points_not_a_silent_spectrum()
    {
        // 0.1 Ω at 30 mV drives 300 mA: beyond the current input.
        var shorted = SimulatedAnalyzerOnLoopback.Pellet with { BulkOhms = 0.1, GrainBoundaryOhms = 0.01, InterfaceOhms = 0.01, TailQ = 1e3 };
        await using var rig = SimulatedAnalyzerOnLoopback.Start(shorted);

        var spectrum = await rig.Driver.SweepAsync(ImpedanceSweep.Paper, null, CancellationToken.None);

        Assert.Equal(spectrum.Points.Count, spectrum.OverloadedPoints);
        Assert.All(spectrum.Points, p => Assert.Equal(1, p.AnalyzerCode));
        Assert.Empty(spectrum.UsablePoints);
    }

    [Fact]
    public async Task An_analyser_that_never_finishes_a_point_is_a_device_timeout_and_the_generator_is_set_to_zero()
    {
        await using var rig = SimulatedAnalyzerOnLoopback.Start(SimulatedAnalyzerOnLoopback.Pellet);
        await rig.Driver.ConnectAsync(CancellationToken.None);
        rig.Analyser.NeverFinishes = true;

        var fault = await Assert.ThrowsAsync<HardwareFaultException>(() => rig.Driver.SweepAsync(ImpedanceSweep.Paper, null, CancellationToken.None).AsTask());

        Assert.Equal(FaultKind.DeviceTimeout, fault.Kind);
        Assert.Contains("1e+06 Hz", fault.Message, StringComparison.OrdinalIgnoreCase);
        Assert.True(0 == rig.Analyser.AmplitudeVolts, string.Join(" | ", rig.Analyser.Received.TakeLast(8)));
    }

    [Fact]
    public async Task Nothing_at_the_gpib_address_is_a_timeout_of_the_adapter_not_a_hang()
    {
        await using var rig = SimulatedAnalyzerOnLoopback.Start(SimulatedAnalyzerOnLoopback.Pellet, atAddress: new SilentDevice());

        var fault = await Assert.ThrowsAsync<HardwareFaultException>(() => rig.Driver.ConnectAsync(CancellationToken.None).AsTask());

        Assert.Equal(FaultKind.DeviceTimeout, fault.Kind);
    }

    [Fact]
    public async Task Another_instrument_at_the_address_is_an_instrument_mismatch()
    {
        var imposter = new ImposterGpibDevice("KEITHLEY INSTRUMENTS INC.,MODEL 2000,1234567,A20");
        await using var rig = SimulatedAnalyzerOnLoopback.Start(SimulatedAnalyzerOnLoopback.Pellet, atAddress: imposter);

        var fault = await Assert.ThrowsAsync<HardwareFaultException>(() => rig.Driver.ConnectAsync(CancellationToken.None).AsTask());

        Assert.Equal(FaultKind.InstrumentMismatch, fault.Kind);
        Assert.Contains("KEITHLEY", fault.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Something_other_than_a_gpib_adapter_at_the_tcp_address_is_an_instrument_mismatch()
    {
        await using var rig = SimulatedAnalyzerOnLoopback.Start(SimulatedAnalyzerOnLoopback.Pellet);
        rig.Server.Version = "KEYSIGHT TECHNOLOGIES,B2902A,MY5100,3.4";

        var fault = await Assert.ThrowsAsync<HardwareFaultException>(() => rig.Driver.ConnectAsync(CancellationToken.None).AsTask());

        Assert.Equal(FaultKind.InstrumentMismatch, fault.Kind);
    }

    [Fact]
    public async Task A_dropped_link_is_link_lost_and_the_next_sweep_reconnects()
    {
        await using var rig = SimulatedAnalyzerOnLoopback.Start(SimulatedAnalyzerOnLoopback.Pellet);
        await rig.Driver.ConnectAsync(CancellationToken.None);
        rig.Server.DropConnections();

        var fault = await Assert.ThrowsAsync<HardwareFaultException>(() => rig.Driver.SweepAsync(ImpedanceSweep.Paper, null, CancellationToken.None).AsTask());
        var again = await rig.Driver.SweepAsync(ImpedanceSweep.Paper with { Start = Frequency.FromKilohertz(10), End = Frequency.FromKilohertz(1) }, null, CancellationToken.None);

        Assert.Contains(fault.Kind, new[] { FaultKind.InstrumentLinkLost, FaultKind.DeviceTimeout });
        Assert.Equal(11, again.Points.Count);
    }

    [Fact]
    public async Task A_sweep_outside_the_analysers_limits_is_refused_before_anything_is_sent()
    {
        await using var rig = SimulatedAnalyzerOnLoopback.Start(SimulatedAnalyzerOnLoopback.Pellet);

        await Assert.ThrowsAsync<ArgumentException>(() => rig.Driver.SweepAsync(ImpedanceSweep.Paper with { Amplitude = ElectricPotential.FromVolts(5) }, null, CancellationToken.None).AsTask());

        Assert.Empty(rig.Analyser.Received);
    }

    internal sealed class SilentDevice : IGpibDevice
    {
        public byte StatusByte => 0;

        public void Write(string message)
        {
        }

        public string? Read() => null;

        public void Clear()
        {
        }
    }

    private sealed class SynchronousProgress(Action<ImpedancePoint> report) : IProgress<ImpedancePoint>
    {
        public void Report(ImpedancePoint value) => report(value);
    }
}
