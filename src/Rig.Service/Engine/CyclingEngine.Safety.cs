using Rig.Service.Channels;
using Rig.Service.Engine.Protocols;

namespace Rig.Service.Engine;

public sealed partial class CyclingEngine
{
    // Measured current may sit a hair above the compliance it is clamped at (instrument noise); trip beyond 2 %.
    private const double CurrentTripMargin = 1.02;

    private EngineCommand? CheckSafety(StepDefinition step, in ChannelSample sample)
    {
        var safety = Plan.Safety;
        var volts = sample.Voltage.Volts;
        if (volts < safety.MinVoltage.Volts || volts > safety.MaxVoltage.Volts)
        {
            return Fail(step, sample, $"safety: voltage {volts:0.####} V outside {safety.MinVoltage.Volts:0.###} to {safety.MaxVoltage.Volts:0.###} V");
        }
        if (Math.Abs(sample.Current.Amperes) > _maxCurrentAmperes * CurrentTripMargin)
        {
            return Fail(step, sample, $"safety: current {sample.Current.Milliamperes:0.###} mA beyond {_maxCurrentAmperes * 1000:0.###} mA");
        }
        if (step.Kind is not (StepKind.Rest or StepKind.Impedance) && !sample.OutputOn)
        {
            return PauseAt(step, sample, "the output was found off (instrument fault, e-stop or operator at the front panel)");
        }
        if (safety.MaxTemperature is { } maxT && sample.Temperature is { } t && t > maxT)
        {
            return PauseAt(step, sample, $"safety: temperature {t.DegreesCelsius:0.#} °C above {maxT.DegreesCelsius:0.#} °C");
        }
        if (sample.StackPressure is { } p && ((safety.MinStackPressure is { } low && p < low) || (safety.MaxStackPressure is { } high && p > high)))
        {
            return PauseAt(step, sample, $"safety: stack pressure {p.Megapascals:0.##} MPa outside {safety.MinStackPressure?.Megapascals:0.##} to {safety.MaxStackPressure?.Megapascals:0.##} MPa");
        }
        if (step.Timeout is { } timeout && State.StepSeconds > timeout.TotalSeconds)
        {
            return Fail(step, sample, $"safety time-out: step ran {State.StepSeconds / 3600:0.##} h (limit {timeout.TotalHours:0.##} h)");
        }
        if (step.IsPlating && step.IsConstantCurrent && _detector.Observe(volts))
        {
            return ShortCircuit(step, sample);
        }
        return null;
    }

    private EngineCommand ShortCircuit(StepDefinition step, in ChannelSample sample)
    {
        var density = Math.Abs(State.StepCurrentAmperes) * 1000.0 / _area.SquareCentimeters;
        State.ShortDetected = true;
        State.CriticalCurrentDensityMilliampsPerSquareCentimetre = density;
        Record(sample, step, stepEnd: true);
        var message = $"short circuit detected during \"{step.Text}\" at {density:0.###} mA/cm² (sudden potential drop with fluctuation)";
        Raise(sample.Timestamp, RigEventSeverity.Alarm, "engine.short_circuit", message);
        End(Plan.ShortIsExpected(State.Instruction) ? RunTrigger.Finish : RunTrigger.Fault, message, sample.Timestamp);
        return EngineCommand.Off;
    }

    private EngineCommand Fail(StepDefinition step, in ChannelSample sample, string reason)
    {
        Record(sample, step, stepEnd: true);
        Raise(sample.Timestamp, RigEventSeverity.Alarm, "engine.safety_limit", $"{reason} in \"{step.Text}\"");
        End(RunTrigger.Fault, reason, sample.Timestamp);
        return EngineCommand.Off;
    }

    private EngineCommand PauseAt(StepDefinition step, in ChannelSample sample, string reason)
    {
        Record(sample, step, stepEnd: false);
        Pause(reason, sample.Timestamp);
        return EngineCommand.Off;
    }
}
