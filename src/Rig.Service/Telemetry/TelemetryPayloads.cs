using System.Text.Encodings.Web;
using System.Text.Json;
using Rig.Service.Channels;
using Rig.Service.Recording;

namespace Rig.Service.Telemetry;

/// <summary>
/// The JSON published on each topic (schema in docs/telemetry.md). Units are in the names; times are ISO 8601
/// UTC plus Unix seconds; current is as the instrument measures it, positive out of the HI terminal, and
/// "current_charging_A" is the same current with the Battery Data Format sign (positive = plating Na onto Al).
/// </summary>
public static class TelemetryPayloads
{
    public static byte[] Telemetry(TestSampleRecord s, long seq, bool halfCell) => Write(w =>
    {
        ArgumentNullException.ThrowIfNull(s);
        w.WriteNumber("seq", seq);
        Time(w, s.Timestamp);
        w.WriteString("test_id", s.TestId);
        w.WriteNumber("test_time_s", s.TestTimeSeconds);
        w.WriteNumber("step_time_s", s.StepTimeSeconds);
        w.WriteNumber("cycle", s.Cycle);
        w.WriteNumber("step", s.StepIndex);
        w.WriteString("step_type", s.StepType);
        w.WriteNumber("voltage_V", s.VoltageVolts);
        w.WriteNumber("current_A", s.CurrentAmperes);
        w.WriteNumber("current_charging_A", ChargingCurrent(s.CurrentAmperes, halfCell));
        w.WriteNumber("step_capacity_Ah", s.StepCapacityAmpHours);
        Optional(w, "stack_pressure_MPa", s.StackPressurePascals / 1e6);
        Optional(w, "force_N", s.ForceNewtons);
        Optional(w, "temperature_degC", s.TemperatureCelsius);
        w.WriteBoolean("step_end", s.StepEnd);
    });

    public static byte[] Cycle(CycleSummary c, long seq) => Write(w =>
    {
        ArgumentNullException.ThrowIfNull(c);
        w.WriteNumber("seq", seq);
        Time(w, c.ClosedAt);
        w.WriteString("test_id", c.TestId);
        w.WriteNumber("cycle", c.Cycle);
        w.WriteNumber("charge_capacity_mAh", c.ChargeCapacityMilliampHours);
        w.WriteNumber("discharge_capacity_mAh", c.DischargeCapacityMilliampHours);
        w.WriteNumber("charge_areal_capacity_mAh_cm2", c.ChargeArealCapacityMilliampHoursPerSquareCentimetre);
        w.WriteNumber("discharge_areal_capacity_mAh_cm2", c.DischargeArealCapacityMilliampHoursPerSquareCentimetre);
        w.WriteNumber("coulombic_efficiency_1", c.CoulombicEfficiency);
        w.WriteNumber("energy_efficiency_1", c.EnergyEfficiency);
        w.WriteNumber("charge_energy_mWh", c.ChargeEnergyMilliwattHours);
        w.WriteNumber("discharge_energy_mWh", c.DischargeEnergyMilliwattHours);
        w.WriteNumber("mean_charge_voltage_V", c.MeanChargeVoltageVolts);
        w.WriteNumber("mean_discharge_voltage_V", c.MeanDischargeVoltageVolts);
        w.WriteNumber("cv_hold_capacity_mAh", c.CvHoldCapacityMilliampHours);
        w.WriteNumber("cv_hold_s", c.CvHoldSeconds);
        Optional(w, "mean_stack_pressure_MPa", c.MeanStackPressureMegapascals);
        Optional(w, "mean_temperature_degC", c.MeanTemperatureCelsius);
        Optional(w, "capacity_retention_1", c.CapacityRetention);
    });

    public static byte[] Event(RigEvent e, long seq) => Write(w =>
    {
        ArgumentNullException.ThrowIfNull(e);
        w.WriteNumber("seq", seq);
        Time(w, e.Timestamp);
        w.WriteString("severity", e.Severity.ToString().ToLowerInvariant());
        w.WriteString("source", e.Source);
        w.WriteString("code", e.Code);
        w.WriteString("message", e.Message);
        if (e.Fault is { } fault)
        {
            w.WriteString("fault_kind", fault.Kind.ToString());
            w.WriteString("fault_device", fault.Device);
        }
    });

    /// <summary>The BDF current: positive = charging = Na plating onto Al (half cell: Al is on HI, so plating is negative out of HI).</summary>
    public static double ChargingCurrent(double currentOutOfHiAmperes, bool halfCell) => halfCell ? -currentOutOfHiAmperes : currentOutOfHiAmperes;

    internal static void Time(Utf8JsonWriter w, DateTimeOffset at)
    {
        w.WriteString("time", at.UtcDateTime);
        w.WriteNumber("unix_time_s", at.ToUnixTimeMilliseconds() / 1000.0);
    }

    internal static void Optional(Utf8JsonWriter w, string name, double? number)
    {
        if (number is { } n && double.IsFinite(n))
        {
            w.WriteNumber(name, n);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    /// <summary>One column of numbers (null where missing or not finite), optionally rounded to <paramref name="digits"/>.</summary>
    internal static void Column<T>(Utf8JsonWriter w, string name, IEnumerable<T> items, Func<T, double?> pick, int? digits = null)
    {
        w.WriteStartArray(name);
        foreach (var item in items)
        {
            if (pick(item) is { } number && double.IsFinite(number))
            {
                w.WriteNumberValue(digits is { } d ? Math.Round(number, d) : number);
            }
            else
            {
                w.WriteNullValue();
            }
        }
        w.WriteEndArray();
    }

    /// <summary>
    /// Human text (cell builds, fault messages, step descriptions) as written: "+0.2 mA/cm²", "can't", not
    /// "\u002B0.2 mA/cm\u00B2". The relaxed encoder still escapes quotes, backslashes and control characters, so
    /// the payload stays valid JSON; it does not escape &lt; &gt; &amp; ' +, which only matters for JSON pasted
    /// into HTML, and the dashboard puts text into the page with textContent.
    /// </summary>
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    internal static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
