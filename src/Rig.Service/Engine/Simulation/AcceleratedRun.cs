using Rig.Drivers.Potentiostats;
using Rig.Service.Channels;
using Rig.Service.Control;
using Rig.Service.Recording;
using UnitsNet;

namespace Rig.Service.Engine.Simulation;

/// <summary>
/// Drives a <see cref="CyclingEngine"/> against an instrument on a virtual clock, with no channel loop and no
/// timers: loop { measure; feed the engine; apply its command; advance the clock one sample period }. This is how
/// tests and the benchmark run a 400-cycle test in seconds; the service's channel loop does the same per tick.
/// </summary>
public sealed class AcceleratedRun
{
    private readonly IPotentiostatChannel _instrument;
    private readonly Action<TimeSpan> _advanceClock;
    private readonly TimeSpan _samplePeriod;
    private readonly Func<Pressure?> _stackPressure;
    private readonly Func<Temperature?> _temperature;
    private readonly Func<TimeSpan> _monotonic;
    // Without a monotonic clock the run counts the periods it advanced (the clock it advances is the only clock).
    private TimeSpan _advanced;

    public AcceleratedRun(
        IPotentiostatChannel instrument,
        Action<TimeSpan> advanceClock,
        TimeSpan samplePeriod,
        Func<Pressure?>? stackPressure = null,
        Func<Temperature?>? temperature = null,
        Func<TimeSpan>? monotonic = null)
    {
        _monotonic = monotonic ?? (() => _advanced);
        _instrument = instrument ?? throw new ArgumentNullException(nameof(instrument));
        _advanceClock = advanceClock ?? throw new ArgumentNullException(nameof(advanceClock));
        _samplePeriod = samplePeriod;
        _stackPressure = stackPressure ?? (() => null);
        _temperature = temperature ?? (() => null);
    }

    public List<CycleSummary> Cycles { get; } = [];

    public List<RigEvent> Events { get; } = [];

    public TestEndRecord? End { get; private set; }

    public long Samples { get; private set; }

    /// <summary>Sees every sample record (for tests that check the trace); null to skip.</summary>
    public Action<TestSampleRecord>? OnSample { get; set; }

    /// <summary>Called after every sample once the command is applied (e.g. to write a checkpoint).</summary>
    public Action<CyclingEngine>? AfterSample { get; set; }

    /// <summary>Runs until the test leaves Running, <paramref name="stopWhen"/> says so, or <paramref name="maxSamples"/> are taken.</summary>
    public async Task RunAsync(CyclingEngine engine, long maxSamples, Func<CyclingEngine, bool>? stopWhen = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        for (long i = 0; i < maxSamples; i++)
        {
            var reading = await _instrument.MeasureAsync(cancellationToken);
            var pressure = _stackPressure();
            var sample = new ChannelSample(engine.State.ChannelId, reading.Timestamp, reading.Voltage, reading.Current,
                reading.OutputOn, reading.InCompliance, null, pressure, _temperature(), _monotonic(), reading.SourcedCharge);
            var command = engine.OnSample(sample);
            Samples++;
            Drain(engine);
            await ApplyAsync(command, cancellationToken);
            AfterSample?.Invoke(engine);
            // No analyser here (a dry run, a bench): an impedance step nobody measured takes no time.
            if (engine.PendingImpedance is { } impedance)
            {
                engine.CompleteImpedance(impedance.Instruction, sample.Timestamp);
                Drain(engine);
            }
            if (engine.State.State != RunState.Running || stopWhen?.Invoke(engine) == true)
            {
                return;
            }
            _advanceClock(_samplePeriod);
            _advanced += _samplePeriod;
        }
    }

    private void Drain(CyclingEngine engine)
    {
        foreach (var record in engine.Outbox)
        {
            if (record.Sample is { } sample)
            {
                OnSample?.Invoke(sample);
            }
            else if (record.Cycle is { } cycle)
            {
                Cycles.Add(cycle);
            }
            else if (record.End is { } end)
            {
                End = end;
            }
            else if (record.Event is { } rigEvent)
            {
                Events.Add(rigEvent);
            }
        }
        engine.Outbox.Clear();
    }

    private ValueTask ApplyAsync(EngineCommand command, CancellationToken cancellationToken) => command.Kind switch
    {
        EngineCommandKind.SourceCurrent => _instrument.SourceCurrentAsync(command.Current, command.Voltage, cancellationToken),
        EngineCommandKind.SourceVoltage => _instrument.SourceVoltageAsync(command.Voltage, command.Current, cancellationToken),
        EngineCommandKind.OutputOff => _instrument.OutputOffAsync(cancellationToken),
        _ => ValueTask.CompletedTask,
    };
}
