using System.Text.Json;
using Rig.Service.Recording;
using Rig.Service.Store;

namespace Rig.Service.Telemetry;

/// <summary>
/// The retained "&lt;channel&gt;/history" document (schema in docs/telemetry.md): the test's cycle summaries as columns
/// (one array per quantity, index i = cycle[i]) and the curves of chosen cycles.
/// </summary>
public static class HistoryPayload
{
    public static byte[] Build(TestStartRecord test, IReadOnlyList<CycleSummary> cycles, IReadOnlyList<CycleCurve> curves, long seq) =>
        TelemetryPayloads.Write(w =>
        {
            ArgumentNullException.ThrowIfNull(test);
            ArgumentNullException.ThrowIfNull(cycles);
            ArgumentNullException.ThrowIfNull(curves);
            w.WriteNumber("seq", seq);
            TelemetryPayloads.Time(w, cycles.Count > 0 ? cycles[^1].ClosedAt : test.StartedAt);
            w.WriteString("test_id", test.TestId);
            w.WriteString("channel", test.ChannelId);
            w.WriteString("protocol", test.ProtocolName);
            w.WriteString("started", test.StartedAt.UtcDateTime);
            w.WriteNumber("area_cm2", test.Cell.AreaCm2);
            w.WriteStartObject("cycles");
            TelemetryPayloads.Column(w, "cycle", cycles, c => c.Cycle, 6);
            TelemetryPayloads.Column(w, "charge_capacity_mAh", cycles, c => c.ChargeCapacityMilliampHours, 6);
            TelemetryPayloads.Column(w, "discharge_capacity_mAh", cycles, c => c.DischargeCapacityMilliampHours, 6);
            TelemetryPayloads.Column(w, "charge_areal_capacity_mAh_cm2", cycles, c => c.ChargeArealCapacityMilliampHoursPerSquareCentimetre, 6);
            TelemetryPayloads.Column(w, "discharge_areal_capacity_mAh_cm2", cycles, c => c.DischargeArealCapacityMilliampHoursPerSquareCentimetre, 6);
            TelemetryPayloads.Column(w, "coulombic_efficiency_1", cycles, c => c.CoulombicEfficiency, 6);
            TelemetryPayloads.Column(w, "energy_efficiency_1", cycles, c => c.EnergyEfficiency, 6);
            TelemetryPayloads.Column(w, "capacity_retention_1", cycles, c => c.CapacityRetention, 6);
            TelemetryPayloads.Column(w, "mean_stack_pressure_MPa", cycles, c => c.MeanStackPressureMegapascals, 6);
            TelemetryPayloads.Column(w, "mean_temperature_degC", cycles, c => c.MeanTemperatureCelsius, 6);
            w.WriteEndObject();
            w.WriteStartArray("curves");
            foreach (var curve in curves)
            {
                w.WriteStartObject();
                w.WriteNumber("cycle", curve.Cycle);
                Half(w, "charge", curve.Charge);
                Half(w, "discharge", curve.Discharge);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });

    private static void Half(Utf8JsonWriter w, string name, IReadOnlyList<CurvePoint> points)
    {
        w.WriteStartObject(name);
        w.WriteStartArray("capacity_mAh");
        foreach (var p in points)
        {
            w.WriteNumberValue(Math.Round(p.CapacityMilliampHours, 5));
        }
        w.WriteEndArray();
        w.WriteStartArray("voltage_V");
        foreach (var p in points)
        {
            w.WriteNumberValue(Math.Round(p.VoltageVolts, 5));
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
