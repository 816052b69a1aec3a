using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rig.Drivers.Faults;
using Rig.Drivers.Impedance;
using Rig.Drivers.Impedance.Fitting;
using Rig.Drivers.Impedance.Gpib;
using Rig.Drivers.Impedance.LeadSwitching;
using Rig.Drivers.Impedance.Simulation;
using Rig.Drivers.Impedance.Solartron1260;
using Rig.Drivers.Potentiostats.Scpi;
using Rig.Drivers.Potentiostats.Scpi.Transports;
using Rig.Service.Channels;
using Rig.Service.Configuration;
using Rig.Service.Engine;
using Rig.Service.Hardware;
using Rig.Service.Interlocks;
using Rig.Service.Store;
using UnitsNet;

namespace Rig.Service.Impedance;

/// <summary>
/// Runs impedance steps. As a channel observer it sees every sample: when the channel's test waits in an impedance
/// step and the sample shows the SMU's output off, it starts the sweep on the analyser wired to the channel, off the
/// loop; then fits the spectrum, computes the ionic conductivity from the cell's build record (separator thickness,
/// area), stores the document and publishes it retained (one transaction), and tells the engine the step is done. A
/// hardware fault (no answer, wrong instrument, link lost) or no analyser on the channel pauses the test through the
/// engine's fault path, output already off. If the test leaves the step meanwhile (paused, aborted), the sweep is
/// cancelled and the generator set to 0 V. For a Simulated analyser it also passes the channel's cycled charge to the
/// simulated cell's interface, so foil and pellet cells drift apart with cycling (Fig. 2d).
/// With a lead relay (wiring B) the sweep is framed by it: SMU output seen off, relay to the analyser, settle, sweep,
/// generator to 0 V, relay back to the SMU (de-energised), settle, and only then the step ends. The relay goes back to
/// the SMU on every way out (done, fault, time-out, cancellation, service stop); a relay that fails to switch is a
/// fault of its own: alarm, a latched interlock on the channel (output held off), the test paused.
/// </summary>
public sealed partial class ImpedanceRunner : IChannelObserver, IAsyncDisposable
{
    private readonly ImpedanceOptions _options;
    private readonly RigOptions _rig;
    private readonly EngineHost _engine;
    private readonly RigStore? _store;
    private readonly TimeProvider _time;
    private readonly ILogger<ImpedanceRunner> _logger;
    private readonly EquivalentCircuitFitter _fitter = new();
    private readonly ConcurrentDictionary<string, IImpedanceAnalyzer> _analyzers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SimulatedImpedanceCell> _cells = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, InFlight> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TimeSpan> _lastMonotonic = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _analyzerGate = new(1, 1);
    private readonly NoLeadSwitch _noLeads = new();

    private readonly RigHardware? _hardware;
    private readonly RigState? _state;
    private readonly RigEvents? _events;
    private readonly Func<string, IImpedanceAnalyzer>? _analyzerFactory;

    /// <param name="options">The Impedance section: which analyser is wired to which channel.</param>
    /// <param name="rig">The rig's channels (the cell's build record, for the conductivity).</param>
    /// <param name="engine">The engine whose impedance steps this runs.</param>
    /// <param name="store">Where spectra are stored and queued for MQTT (none: kept in memory only).</param>
    /// <param name="time">The rig clock.</param>
    /// <param name="logger">The log.</param>
    /// <param name="hardware">The rig's devices, for each channel's lead relay (none: wiring A everywhere).</param>
    /// <param name="state">Where a relay fault raises its interlock.</param>
    /// <param name="events">Where a relay fault raises its alarm.</param>
    /// <param name="analyzerFactory">Tests only: the analyser for a channel instead of the configured one.</param>
    public ImpedanceRunner(IOptions<ImpedanceOptions> options, IOptions<RigOptions> rig, EngineHost engine, RigStore? store, TimeProvider time, ILogger<ImpedanceRunner> logger,
        RigHardware? hardware = null, RigState? state = null, RigEvents? events = null, Func<string, IImpedanceAnalyzer>? analyzerFactory = null)
    {
        _options = options.Value;
        _rig = rig.Value;
        _engine = engine;
        _store = store;
        _time = time;
        _logger = logger;
        _hardware = hardware;
        _state = state;
        _events = events;
        _analyzerFactory = analyzerFactory;
    }

    /// <summary>The spectra measured since start, newest last (for tests and the dashboard's first view).</summary>
    public ConcurrentQueue<MeasuredSpectrum> Measured { get; } = new();

    public async ValueTask OnSampleAsync(ChannelSample sample, CancellationToken cancellationToken)
    {
        FeedSimulatedCell(sample);
        var pending = _engine.PendingImpedance(sample.ChannelId);
        if (_running.TryGetValue(sample.ChannelId, out var flight))
        {
            if (pending is null || pending.Instruction != flight.Request.Instruction || pending.TestId != flight.Request.TestId)
            {
                await flight.Cancel.CancelAsync(); // the test left the step: stop driving the cell
            }
            return;
        }
        if (pending is null || sample.OutputOn || _state?.Interlocks.Active(sample.ChannelId).Count > 0)
        {
            return; // not in an impedance step, the SMU's output not yet seen off, or the channel held (the test pauses)
        }
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var entry = new InFlight(pending, cancel);
        if (_running.TryAdd(sample.ChannelId, entry))
        {
            entry.Task = Task.Run(() => RunAsync(pending, cancel.Token), CancellationToken.None);
        }
    }

    /// <summary>Completes when the channel's sweep in flight (if any) has finished and its outcome reached the engine.</summary>
    public Task WhenIdleAsync(string channelId) =>
        _running.TryGetValue(channelId, out var flight) && flight.Task is { } task ? task : Task.CompletedTask;

    /// <summary>A fault on the channel (instrument, clamp) stops its sweep: the relay goes back to the SMU at once.</summary>
    public async ValueTask OnFaultAsync(string channelId, HardwareFault fault, CancellationToken cancellationToken)
    {
        if (_running.TryGetValue(channelId, out var flight))
        {
            await flight.Cancel.CancelAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var flight in _running.Values)
        {
            await flight.Cancel.CancelAsync();
            if (flight.Task is { } task)
            {
                await task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
        foreach (var analyzer in _analyzers.Values)
        {
            await analyzer.DisposeAsync();
        }
        _analyzerGate.Dispose();
    }

    private async Task RunAsync(ImpedanceRequest request, CancellationToken cancellationToken)
    {
        var channel = request.ChannelId;
        try
        {
            var analyzer = Analyzer(channel);
            var leads = Leads(channel);
            ImpedanceSpectrum spectrum;
            // One analyser may serve several channels (through a relay): one sweep at a time.
            await _analyzerGate.WaitAsync(cancellationToken);
            try
            {
                // The caller saw the SMU's output off on this sample; the engine turns nothing on while the step waits.
                ThrowIfHeld(channel, leads, onAnalyzer: false);
                await leads.ConnectAnalyzerAsync(cancellationToken);
                ThrowIfHeld(channel, leads, onAnalyzer: true); // made safe (e-stop, all-off) while the contacts settled: no sweep
                LogSweepStarting(channel, request.TestId, request.StepText, request.Sweep.Bias.Volts);
                spectrum = await analyzer.SweepAsync(request.Sweep, null, cancellationToken);
            }
            finally
            {
                try
                {
                    await LeadsBackAsync(channel, analyzer, leads);
                }
                finally
                {
                    _analyzerGate.Release();
                }
            }
            var measured = Analyse(request, analyzer.Device, spectrum);
            _store?.SaveSpectrum(request.TestId, channel, spectrum.EndedAt, request.Cycle, request.Instruction, seq => SpectrumDocument.Build(measured, seq));
            Measured.Enqueue(measured);
            LogSweepDone(channel, spectrum.Points.Count, spectrum.OverloadedPoints, measured.Fit?.Bulk.Value, measured.IonicConductivity?.Value.SiemensPerCentimeter);
            await _engine.CompleteImpedanceAsync(channel, request.Instruction, CancellationToken.None);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            LogSweepCancelled(channel, request.TestId);
        }
        catch (LeadSwitchFaultException ex)
        {
            await LeadSwitchFailedAsync(channel, ex.Fault.ForChannel(channel));
        }
        catch (HardwareFaultException ex)
        {
            LogSweepFault(ex, channel);
            await _engine.OnFaultAsync(channel, ex.Fault.ForChannel(channel), CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A store or fit failure must not leave the test waiting for ever: it pauses, with the reason.
            LogSweepFault(ex, channel);
            await _engine.OnFaultAsync(channel, new HardwareFault(FaultKind.InstrumentError, "impedance", $"impedance step failed: {ex.Message}",
                "the service log; resume repeats the sweep", channel), CancellationToken.None);
        }
        finally
        {
            if (_running.TryRemove(channel, out var flight))
            {
                flight.Cancel.Dispose();
            }
        }
    }

    private MeasuredSpectrum Analyse(ImpedanceRequest request, string device, ImpedanceSpectrum spectrum)
    {
        ImpedanceFit? fit = null;
        string? problem = null;
        try
        {
            fit = _fitter.Fit(spectrum.Points);
        }
        catch (Exception ex) when (ex is ArgumentException or ArithmeticException)
        {
            problem = ex.Message; // the spectrum is kept; a spectrum that cannot be fitted is still data
        }
        ConductivityEstimate? sigma = null;
        if (fit is not null && _rig.Channels.TryGetValue(request.ChannelId, out var channel)
            && channel.Cell.Build.SeparatorThicknessMm is { } mm && mm > 0 && channel.Cell.AreaCm2 > 0)
        {
            sigma = Conductivity.Ionic(fit.Bulk, Length.FromMillimeters(mm), Area.FromSquareCentimeters(channel.Cell.AreaCm2));
        }
        return new MeasuredSpectrum(request, device, spectrum, fit, problem, sigma);
    }

    private IImpedanceAnalyzer Analyzer(string channel) => _analyzers.GetOrAdd(channel, _analyzerFactory ?? Create);

    private ILeadSwitch Leads(string channel) =>
        _hardware is not null && _hardware.Channels.TryGetValue(channel, out var hardware) ? hardware.LeadSwitch : _noLeads;

    private IImpedanceAnalyzer Create(string channel)
    {
        var (name, options) = _options.Analyzers.FirstOrDefault(a => a.Value.Channels.Contains(channel, StringComparer.Ordinal));
        if (options is null)
        {
            throw new HardwareFaultException(new HardwareFault(FaultKind.NotSupported, "impedance", $"no impedance analyser is wired to channel {channel}",
                "the Impedance:Analyzers section of the configuration (docs/impedance.md)", channel));
        }
        if (options.Kind == ImpedanceAnalyzerKind.Simulated)
        {
            return new SimulatedImpedanceAnalyzer($"simulated 1260 '{name}'", SimulatedCell(channel), _time, options.Seed);
        }
        var address = ScpiAddress.Parse(options.Address);
        var device = $"solartron1260 '{name}' gpib{options.GpibAddress} via {options.Address}";
        var session = new ScpiSession(address.CreateTransport(TimeSpan.FromSeconds(3)), device, _time, new ScpiTimeouts(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)));
        var adapter = new PrologixGpibAdapter(session, options.GpibAddress, TimeSpan.FromMilliseconds(3000));
        return new Solartron1260Analyzer(adapter, _time, Solartron1260Timing.Default with { ResetSettle = TimeSpan.FromSeconds(options.ResetSettleSeconds) });
    }

    private SimulatedImpedanceCell SimulatedCell(string channel) => _cells.GetOrAdd(channel, id =>
    {
        var cell = _rig.Channels.TryGetValue(id, out var c) ? c.Cell : new CellOptions();
        var collector = cell.Build.CurrentCollector.Contains("foil", StringComparison.OrdinalIgnoreCase) ? CollectorKind.Foil : CollectorKind.Pellet;
        var thickness = Length.FromMillimeters(cell.Build.SeparatorThicknessMm ?? 0.75);
        return new SimulatedImpedanceCell(collector, thickness, Area.FromSquareCentimeters(cell.AreaCm2 > 0 ? cell.AreaCm2 : 0.785));
    });

    private void FeedSimulatedCell(ChannelSample sample)
    {
        var previous = _lastMonotonic.GetValueOrDefault(sample.ChannelId, sample.Monotonic);
        _lastMonotonic[sample.ChannelId] = sample.Monotonic;
        if (!sample.OutputOn || !_options.Analyzers.Values.Any(a => a.Kind == ImpedanceAnalyzerKind.Simulated && a.Channels.Contains(sample.ChannelId)))
        {
            return;
        }
        var seconds = (sample.Monotonic - previous).TotalSeconds;
        if (seconds > 0)
        {
            SimulatedCell(sample.ChannelId).Cycle(ElectricCharge.FromAmpereHours(Math.Abs(sample.Current.Amperes) * seconds / 3600));
        }
    }

    private sealed class InFlight(ImpedanceRequest request, CancellationTokenSource cancel)
    {
        public ImpedanceRequest Request { get; } = request;

        public CancellationTokenSource Cancel { get; } = cancel;

        public Task? Task { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Channel}: impedance sweep for test {TestId} ({Step}), bias {BiasVolts} V")]
    private partial void LogSweepStarting(string channel, string testId, string step, double biasVolts);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Channel}: {Points} points ({Overloaded} overloaded), R_bulk {BulkOhms} Ω, σ_ion {Sigma} S/cm")]
    private partial void LogSweepDone(string channel, int points, int overloaded, double? bulkOhms, double? sigma);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Channel}: impedance sweep for test {TestId} cancelled (the test left the step)")]
    private partial void LogSweepCancelled(string channel, string testId);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Channel}: impedance step failed")]
    private partial void LogSweepFault(Exception ex, string channel);
}
