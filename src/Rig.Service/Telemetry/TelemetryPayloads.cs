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
    /// <summary>
    /// The message of every kept sample, built on the store writer thread for each one (at 64 channels flat out the
    /// single biggest managed cost of a sample after the store itself): the property names are encoded once
    /// (<see cref="JsonEncodedText"/>), not transcoded and checked per message, and no closure is allocated.
    /// The bytes are the same as from the other payloads' <see cref="Write"/>.
    /// </summary>
    public static byte[] Telemetry(TestSampleRecord s, long seq, bool halfCell)
    {
        ArgumentNullException.ThrowIfNull(s);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteNumber(Names.Seq, seq);
            w.WriteString(Names.Time, s.Timestamp.UtcDateTime);
            w.WriteNumber(Names.UnixTime, s.Timestamp.ToUnixTimeMilliseconds() / 1000.0);
            w.WriteString(Names.TestId, s.TestId);
            w.WriteNumber(Names.TestTime, s.TestTimeSeconds);
            w.WriteNumber(Names.StepTime, s.StepTimeSeconds);
            w.WriteNumber(Names.Cycle, s.Cycle);
            w.WriteNumber(Names.Step, s.StepIndex);
            w.WriteString(Names.StepType, s.StepType);
            w.WriteNumber(Names.Voltage, s.VoltageVolts);
            w.WriteNumber(Names.Current, s.CurrentAmperes);
            w.WriteNumber(Names.ChargingCurrent, ChargingCurrent(s.CurrentAmperes, halfCell));
            w.WriteNumber(Names.StepCapacity, s.StepCapacityAmpHours);
            Optional(w, Names.StackPressure, s.StackPressurePascals / 1e6);
            Optional(w, Names.Force, s.ForceNewtons);
            Optional(w, Names.Temperature, s.TemperatureCelsius);
            w.WriteBoolean(Names.StepEnd, s.StepEnd);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The telemetry message's property names, UTF-8 encoded and escaped once (immutable).</summary>
    private static class Names
    {
        public static readonly JsonEncodedText Seq = JsonEncodedText.Encode("seq");
        public static readonly JsonEncodedText Time = JsonEncodedText.Encode("time");
        public static readonly JsonEncodedText UnixTime = JsonEncodedText.Encode("unix_time_s");
        public static readonly JsonEncodedText TestId = JsonEncodedText.Encode("test_id");
        public static readonly JsonEncodedText TestTime = JsonEncodedText.Encode("test_time_s");
        public static readonly JsonEncodedText StepTime = JsonEncodedText.Encode("step_time_s");
        public static readonly JsonEncodedText Cycle = JsonEncodedText.Encode("cycle");
        public static readonly JsonEncodedText Step = JsonEncodedText.Encode("step");
        public static readonly JsonEncodedText StepType = JsonEncodedText.Encode("step_type");
        public static readonly JsonEncodedText Voltage = JsonEncodedText.Encode("voltage_V");
        public static readonly JsonEncodedText Current = JsonEncodedText.Encode("current_A");
        public static readonly JsonEncodedText ChargingCurrent = JsonEncodedText.Encode("current_charging_A");
        public static readonly JsonEncodedText StepCapacity = JsonEncodedText.Encode("step_capacity_Ah");
        public static readonly JsonEncodedText StackPressure = JsonEncodedText.Encode("stack_pressure_MPa");
        public static readonly JsonEncodedText Force = JsonEncodedText.Encode("force_N");
        public static readonly JsonEncodedText Temperature = JsonEncodedText.Encode("temperature_degC");
        public static readonly JsonEncodedText StepEnd = JsonEncodedText.Encode("step_end");
    }

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

    private static void Optional(Utf8JsonWriter w, JsonEncodedText name, double? number)
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
