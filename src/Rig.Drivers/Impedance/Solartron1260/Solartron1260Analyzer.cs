using Rig.Drivers.Faults;
using Rig.Drivers.Impedance.Gpib;
using UnitsNet;

namespace Rig.Drivers.Impedance.Solartron1260;

/// <summary>
/// The Solartron 1260 impedance / gain-phase analyser on GPIB behind a Prologix-style adapter. Connect resets it,
/// sets the data path (comma-separated rectangular results to GPIB), checks its status byte for a refused command
/// and measures one probe point to prove the instrument at the address is a 1260 (an instrument that answers in any
/// other shape is <see cref="FaultKind.InstrumentMismatch"/>). A sweep sets amplitude, bias and integration, then per
/// frequency: FR, SI, serial-poll until the result is ready (bounded by the point's measuring time plus a margin),
/// read and check the result echoes the frequency asked for. The generator is set to 0 V after every sweep, also
/// when it fails. A link failure closes the link; the next call reconnects.
/// </summary>
public sealed class Solartron1260Analyzer : IImpedanceAnalyzer
{
    /// <summary>The probe point of the identity check.</summary>
    private static readonly Frequency ProbeFrequency = Frequency.FromKilohertz(1);
    private readonly PrologixGpibAdapter _adapter;
    private readonly TimeProvider _time;
    private readonly Solartron1260Timing _timing;
    private bool _ready;

    public Solartron1260Analyzer(PrologixGpibAdapter adapter, TimeProvider time, Solartron1260Timing? timing = null)
    {
        _adapter = adapter ?? throw new ArgumentNullException(nameof(adapter));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _timing = timing ?? Solartron1260Timing.Default;
    }

    public string Device => _adapter.Device;

    public async ValueTask ConnectAsync(CancellationToken cancellationToken)
    {
        _ready = false;
        await _adapter.ConnectAsync(cancellationToken);
        await _adapter.WriteAsync(Solartron1260Commands.Reset, cancellationToken);
        if (_timing.ResetSettle > TimeSpan.Zero)
        {
            await Task.Delay(_timing.ResetSettle, _time, cancellationToken);
        }
        foreach (var command in Solartron1260Commands.DataPath)
        {
            await _adapter.WriteAsync(command, cancellationToken);
        }
        await ThrowIfRefusedAsync("setting the data path", cancellationToken);
        await ProbeIdentityAsync(cancellationToken);
        await GeneratorOffAsync(cancellationToken);
        _ready = true;
    }

    public async ValueTask<ImpedanceSpectrum> SweepAsync(ImpedanceSweep sweep, IProgress<ImpedancePoint>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        var problems = sweep.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"impedance sweep: {string.Join("; ", problems)}", nameof(sweep));
        }
        if (!_ready || !_adapter.IsConnected)
        {
            await ConnectAsync(cancellationToken);
        }
        var started = _time.GetUtcNow();
        var points = new List<ImpedancePoint>();
        try
        {
            await _adapter.WriteAsync(Solartron1260Commands.IntegrationTime(sweep.Integration), cancellationToken);
            await _adapter.WriteAsync(Solartron1260Commands.Bias(sweep.Bias), cancellationToken);
            await _adapter.WriteAsync(Solartron1260Commands.Amplitude(sweep.Amplitude), cancellationToken);
            await ThrowIfRefusedAsync($"setting {sweep.Amplitude} on {sweep.Bias}, {sweep.Integration.TotalSeconds} s integration", cancellationToken);
            foreach (var frequency in sweep.Frequencies())
            {
                var result = await MeasureAsync(frequency, sweep.MeasuringTime(frequency), cancellationToken);
                var point = new ImpedancePoint(frequency, result.Impedance,
                    result.ErrorCode == 0 ? ImpedancePointStatus.Ok : ImpedancePointStatus.Overload, result.ErrorCode);
                points.Add(point);
                progress?.Report(point);
            }
        }
        catch
        {
            _ready = false;
            await TryGeneratorOffAsync();
            throw;
        }
        await GeneratorOffAsync(cancellationToken);
        return new ImpedanceSpectrum(sweep, points, started, _time.GetUtcNow());
    }

    public async ValueTask GeneratorOffAsync(CancellationToken cancellationToken)
    {
        await _adapter.WriteAsync(Solartron1260Commands.Amplitude(ElectricPotential.Zero), cancellationToken);
        await _adapter.WriteAsync(Solartron1260Commands.Bias(ElectricPotential.Zero), cancellationToken);
        // Writes are not acknowledged: the poll's answer proves the adapter has passed both on, and that none was refused.
        await ThrowIfRefusedAsync("setting the generator to 0 V", cancellationToken);
    }

    public ValueTask DisposeAsync() => _adapter.DisposeAsync();

    private async ValueTask<Solartron1260Result> MeasureAsync(Frequency frequency, TimeSpan measuringTime, CancellationToken cancellationToken)
    {
        await _adapter.WriteAsync(Solartron1260Commands.Frequency(frequency), cancellationToken);
        await _adapter.WriteAsync(Solartron1260Commands.SingleMeasurement, cancellationToken);
        await WaitForResultAsync(frequency, measuringTime + _timing.PointMargin, cancellationToken);
        var line = await _adapter.ReadAsync(cancellationToken);
        Solartron1260Result result;
        try
        {
            result = Solartron1260Result.Parse(line);
        }
        catch (FormatException ex)
        {
            _adapter.Disconnect();
            throw _adapter.Fault(FaultKind.InstrumentMismatch, ex.Message,
                "that the GPIB address on the adapter is the 1260's (rear-panel switches) and no other instrument shares it", ex);
        }
        // The 1260 rounds the frequency to its synthesiser's resolution; anything beyond 1 % is not this point's answer.
        if (Math.Abs(result.Frequency.Hertz / frequency.Hertz - 1) > 0.01)
        {
            _adapter.Disconnect();
            throw _adapter.Fault(FaultKind.InstrumentError,
                $"asked for {frequency.Hertz:G6} Hz, the result is for {result.Frequency.Hertz:G6} Hz",
                "whether another controller talks to the 1260, or a result from before was left in its buffer");
        }
        return result;
    }

    private async ValueTask WaitForResultAsync(Frequency frequency, TimeSpan limit, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + limit;
        while (true)
        {
            var status = (Solartron1260StatusByte)await _adapter.SerialPollAsync(cancellationToken);
            if (status.HasFlag(Solartron1260StatusByte.CommandError))
            {
                throw _adapter.Fault(FaultKind.InstrumentError, $"the 1260 flagged a command error measuring {frequency.Hertz:G6} Hz (status byte 0x{(byte)status:X2})",
                    "the 1260's front-panel error message, and the frequency and amplitude limits");
            }
            if (status.HasFlag(Solartron1260StatusByte.DataReady))
            {
                return;
            }
            if (_time.GetUtcNow() >= deadline)
            {
                _adapter.Disconnect();
                throw _adapter.Fault(FaultKind.DeviceTimeout, $"no result at {frequency.Hertz:G6} Hz within {limit.TotalSeconds:0.#} s",
                    "the 1260's display (a front-panel hold or a sweep started by hand), the GPIB cable and address");
            }
            await Task.Delay(_timing.PollInterval, _time, cancellationToken);
        }
    }

    private async ValueTask ThrowIfRefusedAsync(string operation, CancellationToken cancellationToken)
    {
        var status = (Solartron1260StatusByte)await _adapter.SerialPollAsync(cancellationToken);
        if (status.HasFlag(Solartron1260StatusByte.CommandError))
        {
            throw _adapter.Fault(FaultKind.InstrumentError, $"{operation}: the 1260 refused a command (status byte 0x{(byte)status:X2})",
                "the 1260's front-panel error message and the value the command carried");
        }
    }

    private async ValueTask ProbeIdentityAsync(CancellationToken cancellationToken)
    {
        await _adapter.WriteAsync(Solartron1260Commands.Amplitude(ElectricPotential.FromMillivolts(10)), cancellationToken);
        await MeasureAsync(ProbeFrequency, TimeSpan.FromMilliseconds(100), cancellationToken);
    }

    private async ValueTask TryGeneratorOffAsync()
    {
        // The sweep already failed; a bounded best effort to leave 0 V on the cell, then the link is rebuilt next time.
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(5), _time);
        try
        {
            if (!_adapter.IsConnected)
            {
                await _adapter.ConnectAsync(bound.Token);
            }
            await GeneratorOffAsync(bound.Token);
        }
        catch (Exception ex) when (ex is HardwareFaultException or OperationCanceledException)
        {
            // the original fault is the one to report; the next connect resets the 1260 (TT2 leaves the generator off)
        }
    }
}
