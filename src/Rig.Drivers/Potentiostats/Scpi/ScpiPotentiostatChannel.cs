using Rig.Drivers.Faults;
using Rig.Drivers.Potentiostats.Scpi.Dialects;
using UnitsNet;

namespace Rig.Drivers.Potentiostats.Scpi;

/// <summary>
/// An <see cref="IPotentiostatChannel"/> over SCPI: the dialect says what to send, the session sends it. On every
/// (re)connect the instrument must prove it is the configured one (*IDN?, and *LANG? where there is a choice of
/// command set) and is prepared (high-impedance off state, 4-wire sense); a mismatch is refused with
/// <see cref="FaultKind.InstrumentMismatch"/>. A dropped link faults the call in progress and the next call
/// reconnects, so <see cref="OutputOffAsync"/> after a drop reaches the instrument as soon as it answers again.
/// Calls are serialised: a call abandoned by a caller's time-out cannot interleave with the next one.
/// </summary>
public sealed class ScpiPotentiostatChannel : IPotentiostatChannel
{
    private readonly IScpiSmuDialect _dialect;
    private readonly ScpiSession _session;
    private readonly TimeProvider _time;
    private readonly string? _device;
    private bool _prepared;
    private long _preparedEpoch;
    /// <summary>The source in force with the output on (function, limit), or null when unknown: the next source call sends everything.</summary>
    private (SmuSourceFunction Function, double Limit)? _sourcing;
    private SmuSourceFunction _sourceFunction;
    private DateTimeOffset? _instrumentEpoch;
    private TimeSpan _lastInstrumentTime;

    /// <summary>The dialect says what to send, the session (possibly shared with the instrument's other channels) sends it.</summary>
    /// <param name="dialect">The instrument's commands for this channel.</param>
    /// <param name="session">The link to the instrument; its gate serialises every channel of the instrument.</param>
    /// <param name="time">The rig clock.</param>
    /// <param name="device">The channel's name when the session is shared by several channels of one instrument.</param>
    public ScpiPotentiostatChannel(IScpiSmuDialect dialect, ScpiSession session, TimeProvider time, string? device = null)
    {
        _dialect = dialect ?? throw new ArgumentNullException(nameof(dialect));
        _session = session ?? throw new ArgumentNullException(nameof(session));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _device = device;
    }

    public string Device => _device ?? _session.Device;

    public InstrumentCapabilities Capabilities => _dialect.Capabilities;

    /// <summary>Who answered at the last connect; null before the first.</summary>
    public InstrumentIdentity? Identity { get; private set; }

    public ValueTask<InstrumentIdentity> IdentifyAsync(CancellationToken cancellationToken) =>
        RunAsync(async ct => await _session.IdentifyAsync(ct), cancellationToken);

    public async ValueTask SourceCurrentAsync(ElectricCurrent current, ElectricPotential voltageLimit, CancellationToken cancellationToken)
    {
        var commands = Checked(() => _dialect.SourceCurrent(current, voltageLimit));
        var level = Checked(() => [_dialect.SourceLevel(SmuSourceFunction.Current, current.Amperes)]);
        await SourceAsync($"source {current} with a {voltageLimit} limit", SmuSourceFunction.Current, voltageLimit.Volts, commands, level, cancellationToken);
    }

    public async ValueTask SourceVoltageAsync(ElectricPotential voltage, ElectricCurrent currentLimit, CancellationToken cancellationToken)
    {
        var commands = Checked(() => _dialect.SourceVoltage(voltage, currentLimit));
        var level = Checked(() => [_dialect.SourceLevel(SmuSourceFunction.Voltage, voltage.Volts)]);
        await SourceAsync($"source {voltage} with a {currentLimit} limit", SmuSourceFunction.Voltage, currentLimit.Amperes, commands, level, cancellationToken);
    }

    /// <summary>
    /// The whole source sequence, or only the level when the same function and limit are already in force with the
    /// output on (a voltage sweep changes the level every sample; resending function, limit and output each time
    /// restarts the source's settling on some instruments and fills the log). Either way the error queue is read.
    /// </summary>
    private async ValueTask SourceAsync(string operation, SmuSourceFunction function, double limit, IReadOnlyList<string> commands,
        IReadOnlyList<string> levelOnly, CancellationToken cancellationToken)
    {
        await RunAsync(async ct =>
        {
            var same = _sourcing is { } now && now.Function == function && now.Limit == limit;
            _sourcing = null; // unknown until the instrument accepted it
            await _session.ConfigureAsync(operation, same ? levelOnly : commands, ct);
            _sourceFunction = function;
            _sourcing = (function, limit);
            return true;
        }, cancellationToken);
    }

    public ValueTask<PotentiostatReading> MeasureAsync(CancellationToken cancellationToken) => RunAsync(async ct =>
    {
        var outputOn = _dialect.ParseOutputState(await _session.QueryAsync(_dialect.OutputStateQuery, ct));
        if (!outputOn)
        {
            _sourcing = null; // turned off behind our back (front panel, interlock): the next source call sends everything
            // Off is high impedance: the output relay is open and the instrument cannot measure the cell (2450
            // Reference Manual 2450-901-01 Rev. B p. 2-83; the B2900's HIZ off mode opens its relay too). Triggering a
            // reading anyway would leave an error in the queue that faults the next source step. Nothing flows.
            return new PotentiostatReading(_time.GetUtcNow(), ElectricPotential.Zero, ElectricCurrent.Zero, false, false);
        }
        var measurement = _dialect.ParseMeasurement(await _session.QueryAsync(_dialect.MeasureQuery, ct), _sourceFunction);
        var inCompliance = ScpiFormatBoolean(await _session.QueryAsync(_dialect.ComplianceQuery(_sourceFunction), ct));
        return new PotentiostatReading(OnRigClock(measurement.InstrumentTime), measurement.Voltage, measurement.Current, true, inCompliance);
    }, cancellationToken);

    public async ValueTask OutputOffAsync(CancellationToken cancellationToken) => await RunAsync(async ct =>
    {
        _sourcing = null;
        await _session.ConfigureAsync("output off", _dialect.OutputOff(), ct);
        return true;
    }, cancellationToken);

    public async ValueTask DisposeAsync() => await _session.DisposeAsync(); // closing a shared link twice is harmless

    private async ValueTask<T> RunAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        await _session.Gate.WaitAsync(cancellationToken);
        try
        {
            await EnsurePreparedAsync(cancellationToken);
            return await operation(cancellationToken);
        }
        catch (Exception ex) when (ex is not FormatException)
        {
            _sourcing = null; // whatever failed, the instrument's source state is no longer known
            throw;
        }
        catch (FormatException ex)
        {
            // An answer we cannot parse means we no longer know which answer belongs to which query.
            _sourcing = null;
            _session.Disconnect();
            throw _session.Fault(FaultKind.InstrumentError, $"unexpected answer: {ex.Message}", "the instrument's command set and firmware", ex);
        }
        finally
        {
            _session.Gate.Release();
        }
    }

    private async ValueTask EnsurePreparedAsync(CancellationToken cancellationToken)
    {
        if (_prepared && _session.IsConnected && _preparedEpoch == _session.ConnectionEpoch)
        {
            return;
        }
        _prepared = false;
        _sourcing = null;
        // A channel sharing the instrument may have connected already: then its queue is in use and is not cleared.
        var connectedHere = !_session.IsConnected;
        if (connectedHere)
        {
            await _session.ConnectAsync(cancellationToken);
        }
        try
        {
            var identity = await _session.IdentifyAsync(cancellationToken);
            if (_dialect.RejectIdentity(identity) is { } identityProblem)
            {
                throw _session.Fault(FaultKind.InstrumentMismatch, identityProblem, "the channel's Instrument:Kind and Address, and which instrument is on that address");
            }
            if (_dialect.LanguageQuery is { } languageQuery
                && _dialect.RejectLanguage(await _session.QueryAsync(languageQuery, cancellationToken)) is { } languageProblem)
            {
                throw _session.Fault(FaultKind.InstrumentMismatch, languageProblem, "the instrument's command set");
            }
            if (connectedHere)
            {
                await _session.ClearStatusAsync(cancellationToken);
            }
            await _session.ConfigureAsync("prepare", _dialect.Prepare(), cancellationToken);
            _sourceFunction = _dialect.ParseSourceFunction(await _session.QueryAsync(_dialect.SourceFunctionQuery, cancellationToken));
            Identity = identity;
            _instrumentEpoch = null;
            _prepared = true;
            _preparedEpoch = _session.ConnectionEpoch;
        }
        catch
        {
            _session.Disconnect(); // refuse to drive it: every later call tries again and is refused again
            throw;
        }
    }

    // The instrument's relative time is precise between readings; the rig clock anchors it once per connection
    // (and again if the instrument's clock restarts, e.g. after its buffer was cleared).
    private DateTimeOffset OnRigClock(TimeSpan instrumentTime)
    {
        if (_instrumentEpoch is null || instrumentTime < _lastInstrumentTime)
        {
            _instrumentEpoch = _time.GetUtcNow() - instrumentTime;
        }
        _lastInstrumentTime = instrumentTime;
        return _instrumentEpoch.Value + instrumentTime;
    }

    private IReadOnlyList<string> Checked(Func<IReadOnlyList<string>> build)
    {
        try
        {
            return build();
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw _session.Fault(FaultKind.NotSupported, $"{_dialect.Name}: {ex.ParamName} {ex.ActualValue} is {ex.Message.Split(" (Parameter", StringSplitOptions.None)[0]}",
                "the step's current, voltage and compliance limit against the instrument's ranges", ex);
        }
    }

    private static bool ScpiFormatBoolean(string answer) => ScpiFormat.ParseBoolean(answer, "compliance");
}
