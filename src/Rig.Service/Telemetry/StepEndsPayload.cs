using System.Text.Json;
using Rig.Service.Control;

namespace Rig.Service.Telemetry;

/// <summary>
/// "step_ends" of the retained state (docs/telemetry.md): one object per end condition of the step being run,
/// <c>{quantity, value, unit}</c>, with <c>now</c> where the engine itself keeps the progress (the step's charge and
/// time); a voltage or current end is read against the state's own <c>voltage_V</c> / <c>current_A</c>. Capacities and
/// current floors are in the form the protocol wrote them (per cm² or absolute). Empty outside a test.
/// </summary>
internal static class StepEndsPayload
{
    public static void Write(Utf8JsonWriter w, StepEnds? ends)
    {
        w.WriteStartArray("step_ends");
        if (ends is not null)
        {
            var perSquareCentimetre = ends.Area.SquareCentimeters > 0 ? 1 / ends.Area.SquareCentimeters : 1;
            if (ends.Capacity is { } capacity)
            {
                var scale = ends.CapacityPerArea ? perSquareCentimetre : 1;
                End(w, "capacity", capacity.MilliampereHours * scale, ends.CapacityPerArea ? "mAh/cm2" : "mAh", ends.CapacityPassed.MilliampereHours * scale);
            }
            if (ends.Duration is { } duration)
            {
                End(w, "time", duration.TotalSeconds, "s", ends.StepTime.TotalSeconds);
            }
            if (ends.Voltage is { } voltage)
            {
                End(w, "voltage", voltage.Volts, "V", null, ends.VoltageRising switch { true => "rising", false => "falling", null => null });
            }
            if (ends.CurrentFloor is { } floor)
            {
                End(w, "current", floor.Milliamperes * (ends.CurrentPerArea ? perSquareCentimetre : 1), ends.CurrentPerArea ? "mA/cm2" : "mA", null, "below");
            }
        }
        w.WriteEndArray();
    }

    private static void End(Utf8JsonWriter w, string quantity, double value, string unit, double? now, string? direction = null)
    {
        w.WriteStartObject();
        w.WriteString("quantity", quantity);
        w.WriteNumber("value", Math.Round(value, 9));
        w.WriteString("unit", unit);
        if (now is { } n)
        {
            w.WriteNumber("now", Math.Round(n, 9));
        }
        if (direction is not null)
        {
            w.WriteString("direction", direction);
        }
        w.WriteEndObject();
    }
}
