using CsCheck;
using Rig.Service.Recording;
using Rig.Service.Telemetry;

namespace Rig.Service.Tests.Telemetry;

/// <summary>
/// The telemetry message is built with pre-encoded property names (the hot path); every subscriber (Home Assistant,
/// Telegraf, the dashboard, the archive) reads it, so its bytes must be exactly those the general payload writer gives
/// for the same fields, whatever the values and text.
/// </summary>
public sealed class TelemetryPayloadBytesTests
{
    // A required number is finite (the writer refuses NaN); an optional one may be anything (written as null if not finite).
    private static readonly Gen<double> Number = Gen.OneOf(
        Gen.Double.Where(double.IsFinite), Gen.Double[-1.05, 1.05], Gen.Double[-1e-6, 1e-6], Gen.Const(-0.0), Gen.Const(0.0), Gen.Const(double.Epsilon), Gen.Const(double.MaxValue));

    private static readonly Gen<double?> Optional = Gen.OneOf(Number.Select(d => (double?)d), Gen.Const((double?)null),
        Gen.Const((double?)double.NaN), Gen.Const((double?)double.NegativeInfinity));

    private static readonly Gen<string> Text = Gen.OneOf(Gen.String.AlphaNumeric, Gen.Const("CC_CHG"), Gen.Const("+0.2 mA/cm² <rest> & \"CV\"\n\t°€𝄞"));

    private static readonly Gen<TestSampleRecord> Samples =
        Gen.Select(Gen.Select(Text, Gen.Long[-62135596800000, 253402300799999], Gen.Int[0, 9_999], Number, Number, Gen.Int, Gen.Int, Text),
            Gen.Select(Number, Number, Number, Number, Number, Optional, Optional, Optional), Gen.Bool)
        .Select((a, b, stepEnd) => new TestSampleRecord(a.Item1, "ch1", DateTimeOffset.FromUnixTimeMilliseconds(a.Item2).AddTicks(a.Item3),
            a.Item4, a.Item5, a.Item6, a.Item7, a.Item8, b.Item1, b.Item2, b.Item3, b.Item4, b.Item5, b.Item6, b.Item7, b.Item8, stepEnd));

    [Fact]
    public void The_telemetry_message_has_the_bytes_of_the_general_writer_for_any_sample()
    {
        Gen.Select(Samples, Gen.Long[1, long.MaxValue], Gen.Bool).Sample((sample, seq, halfCell) =>
            Assert.Equal(Reference(sample, seq, halfCell), TelemetryPayloads.Telemetry(sample, seq, halfCell)), iter: 2_000);
    }

    /// <summary>The message as it was written before the names were pre-encoded (docs/telemetry.md's field order).</summary>
    private static byte[] Reference(TestSampleRecord s, long seq, bool halfCell) => TelemetryPayloads.Write(w =>
    {
        w.WriteNumber("seq", seq);
        TelemetryPayloads.Time(w, s.Timestamp);
        w.WriteString("test_id", s.TestId);
        w.WriteNumber("test_time_s", s.TestTimeSeconds);
        w.WriteNumber("step_time_s", s.StepTimeSeconds);
        w.WriteNumber("cycle", s.Cycle);
        w.WriteNumber("step", s.StepIndex);
        w.WriteString("step_type", s.StepType);
        w.WriteNumber("voltage_V", s.VoltageVolts);
        w.WriteNumber("current_A", s.CurrentAmperes);
        w.WriteNumber("current_charging_A", TelemetryPayloads.ChargingCurrent(s.CurrentAmperes, halfCell));
        w.WriteNumber("step_capacity_Ah", s.StepCapacityAmpHours);
        TelemetryPayloads.Optional(w, "stack_pressure_MPa", s.StackPressurePascals / 1e6);
        TelemetryPayloads.Optional(w, "force_N", s.ForceNewtons);
        TelemetryPayloads.Optional(w, "temperature_degC", s.TemperatureCelsius);
        w.WriteBoolean("step_end", s.StepEnd);
    });
}
