using Rig.Service.Channels;
using Rig.Service.Control;
using Rig.Service.Interlocks;
using Rig.Service.Recording;

namespace Rig.Service.Telemetry;

/// <summary>The retained "&lt;channel&gt;/state" document (schema in docs/telemetry.md).</summary>
public static class StatePayload
{
    public static byte[] Build(string channelId, DateTimeOffset at, ChannelRunStatus? run, ChannelSnapshot snapshot, TestSampleRecord? test, long? seq, ChannelContext? context = null,
        IReadOnlyList<Interlock>? interlocks = null) =>
        TelemetryPayloads.Write(w =>
        {
            ArgumentNullException.ThrowIfNull(snapshot);
            if (seq is { } s)
            {
                w.WriteNumber("seq", s);
            }
            TelemetryPayloads.Time(w, at);
            w.WriteString("channel", channelId);
            w.WriteString("run_state", (run?.State ?? RunState.Idle).ToString().ToLowerInvariant());
            w.WriteString("test_id", run?.TestId);
            w.WriteString("protocol", run?.ProtocolName);
            w.WriteNumber("cycle", run?.Cycle ?? 0);
            w.WriteNumber("step", run?.StepIndex ?? 0);
            w.WriteString("step_text", run?.StepText);
            w.WriteString("reason", run?.Reason);
            if (run?.CyclesPlanned is { } planned)
            {
                w.WriteNumber("cycles_planned", planned);
            }
            else
            {
                w.WriteNull("cycles_planned");
            }
            TelemetryPayloads.Optional(w, "time_left_s", run?.TimeLeft?.TotalSeconds);
            w.WriteBoolean("time_left_estimated", run?.TimeLeftEstimated ?? false);
            context?.Write(w);
            if (snapshot.Latest is { } latest)
            {
                w.WriteString("sampled_at", latest.Timestamp.UtcDateTime);
                w.WriteNumber("voltage_V", latest.Voltage.Volts);
                w.WriteNumber("current_A", latest.Current.Amperes);
                w.WriteBoolean("output_on", latest.OutputOn);
                // The instrument clamped at its compliance limit: the set current (or voltage) is not what the cell gets.
                w.WriteBoolean("in_compliance", latest.InCompliance);
                TelemetryPayloads.Optional(w, "stack_pressure_MPa", latest.StackPressure?.Megapascals);
                TelemetryPayloads.Optional(w, "force_N", latest.Force?.Newtons);
                TelemetryPayloads.Optional(w, "temperature_degC", latest.Temperature?.DegreesCelsius);
            }
            if (test is not null)
            {
                w.WriteNumber("test_time_s", test.TestTimeSeconds);
                w.WriteNumber("step_time_s", test.StepTimeSeconds);
                // The step's kind (Plate, Strip, Charge, Discharge, Hold, Rest, Sweep): a dashboard shows the control mode from it.
                w.WriteString("step_type", test.StepType);
                w.WriteNumber("step_capacity_Ah", test.StepCapacityAmpHours);
            }
            StepEndsPayload.Write(w, run?.StepEnds);
            // What holds the channel (a dashboard shows these as the reason it cannot run): empty when nothing does.
            w.WriteStartArray("interlocks");
            foreach (var interlock in interlocks ?? [])
            {
                w.WriteStartObject();
                w.WriteString("kind", interlock.Kind.ToString());
                w.WriteString("source", interlock.Source);
                w.WriteString("since", interlock.Since.UtcDateTime);
                w.WriteString("reason", interlock.Reason);
                w.WriteBoolean("latched", interlock.Latched);
                w.WriteString("cleared_by", interlock.ClearedBy);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("faults");
            foreach (var fault in snapshot.Faults)
            {
                w.WriteStartObject();
                w.WriteString("kind", fault.Kind.ToString());
                w.WriteString("device", fault.Device);
                w.WriteString("message", fault.Message);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
}
