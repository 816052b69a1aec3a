using Rig.Drivers.Impedance.Solartron1260;
using UnitsNet;

namespace Rig.Drivers.Impedance.Simulation;

/// <summary>
/// The simulated rig's analyser: a <see cref="SimulatedSolartron1260"/> driven in process with the 1260's own
/// commands and result lines (no socket), measuring a <see cref="SimulatedImpedanceCell"/>. A sweep returns at once;
/// its spectrum's end time is its start plus the time the 1260 would have taken.
/// </summary>
public sealed class SimulatedImpedanceAnalyzer : IImpedanceAnalyzer
{
    private readonly SimulatedSolartron1260 _analyser;
    private readonly TimeProvider _time;

    public SimulatedImpedanceAnalyzer(string device, SimulatedImpedanceCell cell, TimeProvider time, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(cell);
        Device = device;
        Cell = cell;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _analyser = new SimulatedSolartron1260(cell.Circuit, time, seed);
    }

    public string Device { get; }

    public SimulatedImpedanceCell Cell { get; }

    public ValueTask ConnectAsync(CancellationToken cancellationToken)
    {
        _analyser.Write(Solartron1260Commands.Reset);
        return ValueTask.CompletedTask;
    }

    public ValueTask<ImpedanceSpectrum> SweepAsync(ImpedanceSweep sweep, IProgress<ImpedancePoint>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        var started = _time.GetUtcNow();
        var before = _analyser.MeasuringTime;
        _analyser.Write(Solartron1260Commands.IntegrationTime(sweep.Integration));
        _analyser.Write(Solartron1260Commands.Bias(sweep.Bias));
        _analyser.Write(Solartron1260Commands.Amplitude(sweep.Amplitude));
        var points = new List<ImpedancePoint>();
        foreach (var frequency in sweep.Frequencies())
        {
            cancellationToken.ThrowIfCancellationRequested();
            _analyser.Write(Solartron1260Commands.Frequency(frequency));
            _analyser.Write(Solartron1260Commands.SingleMeasurement);
            var result = Solartron1260Result.Parse(_analyser.Read() ?? throw new InvalidOperationException("the simulated 1260 gave no result"));
            var point = new ImpedancePoint(frequency, result.Impedance,
                result.ErrorCode == 0 ? ImpedancePointStatus.Ok : ImpedancePointStatus.Overload, result.ErrorCode);
            points.Add(point);
            progress?.Report(point);
        }
        _analyser.Write(Solartron1260Commands.Amplitude(ElectricPotential.Zero));
        _analyser.Write(Solartron1260Commands.Bias(ElectricPotential.Zero));
        return ValueTask.FromResult(new ImpedanceSpectrum(sweep, points, started, started + (_analyser.MeasuringTime - before)));
    }

    public ValueTask GeneratorOffAsync(CancellationToken cancellationToken)
    {
        _analyser.Write(Solartron1260Commands.Amplitude(ElectricPotential.Zero));
        _analyser.Write(Solartron1260Commands.Bias(ElectricPotential.Zero));
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
