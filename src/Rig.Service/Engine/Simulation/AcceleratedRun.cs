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

    /// <summary>
    /// Optional: lets the run sample coarsely yet end steps where the rig's own, finer sampling would. Before each
    /// coarse period the twin is marked; when the sample at its end would end the step, the twin is rewound and the
    /// period is sampled again in <see cref="IStepEndLookahead.FinePeriod"/> until the step ends. Null: fixed period.
    /// </summary>
    public IStepEndLookahead? Lookahead { get; set; }

    /// <summary>Called after every sample once the command is applied (e.g. to write a checkpoint).</summary>
    public Action<CyclingEngine>? AfterSample { get; set; }

    /// <summary>Runs until the test leaves Running, <paramref name="stopWhen"/> says so, or <paramref name="maxSamples"/> are taken.</summary>
    public async Task RunAsync(CyclingEngine engine, long maxSamples, Func<CyclingEngine, bool>? stopWhen = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var lookahead = Lookahead;
        var fine = lookahead is { } l && l.FinePeriod > TimeSpan.Zero && l.FinePeriod < _samplePeriod ? l.FinePeriod : _samplePeriod;
        var period = _samplePeriod;
        var marked = false;
        var fineLeft = 0;
        var fineInstruction = -1;
        for (long i = 0; i < maxSamples; i++)
        {
            var reading = await _instrument.MeasureAsync(cancellationToken);
            if (marked && fine < period && lookahead!.WouldEndStep(engine, reading, period))
            {
                // The step ends inside this period: go back and find its end on the finer grid.
                lookahead.Rewind();
                _advanced -= period;
                period = fine;
                fineLeft = (int)Math.Ceiling(_samplePeriod / fine);
                fineInstruction = engine.State.Instruction;
                _advanceClock(fine);
                _advanced += fine;
                reading = await _instrument.MeasureAsync(cancellationToken);
            }
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
            // Back to the coarse period once the step has ended (or the fine samples that could hold its end are spent).
            if (fineLeft > 0 && (--fineLeft == 0 || engine.State.Instruction != fineInstruction))
            {
                fineLeft = 0;
            }
            period = fineLeft > 0 ? fine : _samplePeriod;
            if (lookahead is not null && period > fine)
            {
                lookahead.Mark();
                marked = true;
            }
            else
            {
                marked = false;
            }
            _advanceClock(period);
            _advanced += period;
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

/// <summary>What an <see cref="AcceleratedRun"/> needs to look ahead over a coarse period and go back (see <see cref="AcceleratedRun.Lookahead"/>).</summary>
public interface IStepEndLookahead
{
    /// <summary>The period a step's end is looked for in: the rig's own sample period.</summary>
    TimeSpan FinePeriod { get; }

    /// <summary>Remembers the twin and its clock as they are now.</summary>
    void Mark();

    /// <summary>Puts the twin and its clock back to the last <see cref="Mark"/>.</summary>
    void Rewind();

    /// <summary>True when this reading, taken <paramref name="period"/> after the last sample, would end the engine's present step.</summary>
    bool WouldEndStep(CyclingEngine engine, PotentiostatReading reading, TimeSpan period);
}
