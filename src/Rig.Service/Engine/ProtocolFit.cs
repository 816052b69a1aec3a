using Rig.Drivers.Potentiostats;
using Rig.Service.Configuration;
using Rig.Service.Engine.Protocols;
using Rig.Service.Hardware;

namespace Rig.Service.Engine;

/// <summary>Whether a compiled protocol fits a channel's cell and instrument, checked before anything is sourced.</summary>
public static class ProtocolFit
{
    /// <summary>Null when it fits; otherwise what does not.</summary>
    public static string? Problem(ProtocolPlan plan, ChannelHardware channel)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(channel);
        var chemistry = channel.Options.Cell.Chemistry;
        if (plan.Chemistry is { } wanted && wanted != chemistry)
        {
            return $"protocol '{plan.Name}' is for a {wanted}; channel {channel.Id} holds a {chemistry} (Rig:Channels:{channel.Id}:Cell:Chemistry)";
        }
        var capabilities = channel.Instrument.Capabilities;
        foreach (var instruction in plan.Instructions)
        {
            if (instruction.Step is not { } step)
            {
                continue;
            }
            // Plate/Strip assume the half-cell wiring (Al on HI), Charge/Discharge the full-cell wiring (Al on LO).
            if (chemistry == CellChemistry.AnodeFreeFullCell && step.Kind is StepKind.Plate or StepKind.Strip)
            {
                return $"{instruction.Location} \"{step.Text}\": Plate/Strip are half-cell steps; this channel holds a full cell (use Charge/Discharge)";
            }
            if (chemistry == CellChemistry.AnodeFreeHalfCell && step.Kind is StepKind.Charge or StepKind.Discharge)
            {
                return $"{instruction.Location} \"{step.Text}\": Charge/Discharge are full-cell steps; this channel holds a half cell (use Plate/Strip)";
            }
            if (step.Current is { } current && current.Resolve(channel.CellArea) > plan.Safety.MaxCurrent.Resolve(channel.CellArea))
            {
                return $"{instruction.Location} \"{step.Text}\": {current} is beyond safety.maxCurrent {plan.Safety.MaxCurrent}";
            }
            var needed = step.Kind switch
            {
                StepKind.Hold => InstrumentTechniques.ConstantVoltage,
                StepKind.Sweep => InstrumentTechniques.VoltageSweep,
                StepKind.Rest or StepKind.Impedance => InstrumentTechniques.None, // the analyser measures, the SMU is off
                _ => InstrumentTechniques.ConstantCurrent,
            };
            if (!capabilities.Supports(needed))
            {
                return $"{instruction.Location} \"{step.Text}\": {channel.Instrument.Device} cannot do {needed}";
            }
        }
        var maxCurrent = plan.Safety.MaxCurrent.Resolve(channel.CellArea);
        if (maxCurrent > capabilities.MaxCurrent)
        {
            return $"safety.maxCurrent {maxCurrent} on this cell is beyond what {channel.Instrument.Device} can source ({capabilities.MaxCurrent})";
        }
        return Ceilings(plan, channel);
    }

    // The rig's ceilings: the instrument's voltage range and the channel's configured limits bound every safety block.
    private static string? Ceilings(ProtocolPlan plan, ChannelHardware channel)
    {
        var safety = plan.Safety;
        var limits = channel.Options.Limits;
        var window = Math.Max(Math.Abs(safety.MinVoltage.Volts), Math.Abs(safety.MaxVoltage.Volts));
        var instrumentVolts = channel.Instrument.Capabilities.MaxVoltage.Volts;
        if (window > instrumentVolts)
        {
            return $"safety.voltage {safety.MinVoltage} to {safety.MaxVoltage} is beyond what {channel.Instrument.Device} can source (±{instrumentVolts} V)";
        }
        if (limits.MaxVoltageVolts is { } maxVolts && window > maxVolts)
        {
            return $"safety.voltage {safety.MinVoltage} to {safety.MaxVoltage} is beyond this channel's ceiling Rig:Channels:{channel.Id}:Limits:MaxVoltageVolts (±{maxVolts} V)";
        }
        var maxMilliamps = safety.MaxCurrent.Resolve(channel.CellArea).Milliamperes;
        if (limits.MaxCurrentMilliamps is { } ceiling && maxMilliamps > ceiling)
        {
            return $"safety.maxCurrent {safety.MaxCurrent} ({maxMilliamps:0.###} mA on this cell) is beyond this channel's ceiling Rig:Channels:{channel.Id}:Limits:MaxCurrentMilliamps ({ceiling} mA)";
        }
        foreach (var instruction in plan.Instructions)
        {
            if (instruction.Step is { Voltage: { } volts } step && (volts < safety.MinVoltage || volts > safety.MaxVoltage))
            {
                return $"{instruction.Location} \"{step.Text}\": {volts} is outside safety.voltage ({safety.MinVoltage} to {safety.MaxVoltage})";
            }
            if (instruction.Step is { SweepStart: { } from } sweep && (from < safety.MinVoltage || from > safety.MaxVoltage))
            {
                return $"{instruction.Location} \"{sweep.Text}\": {from} is outside safety.voltage ({safety.MinVoltage} to {safety.MaxVoltage})";
            }
        }
        return ProtocolTimeCeilings.Problem(plan, channel);
    }
}
