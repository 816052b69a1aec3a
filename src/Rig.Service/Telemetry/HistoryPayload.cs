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
            Column(w, "cycle", cycles, c => c.Cycle);
            Column(w, "charge_capacity_mAh", cycles, c => c.ChargeCapacityMilliampHours);
            Column(w, "discharge_capacity_mAh", cycles, c => c.DischargeCapacityMilliampHours);
            Column(w, "charge_areal_capacity_mAh_cm2", cycles, c => c.ChargeArealCapacityMilliampHoursPerSquareCentimetre);
            Column(w, "discharge_areal_capacity_mAh_cm2", cycles, c => c.DischargeArealCapacityMilliampHoursPerSquareCentimetre);
            Column(w, "coulombic_efficiency_1", cycles, c => c.CoulombicEfficiency);
            Column(w, "energy_efficiency_1", cycles, c => c.EnergyEfficiency);
            Column(w, "capacity_retention_1", cycles, c => c.CapacityRetention);
            Column(w, "mean_stack_pressure_MPa", cycles, c => c.MeanStackPressureMegapascals);
            Column(w, "mean_temperature_degC", cycles, c => c.MeanTemperatureCelsius);
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

    private static void Column(Utf8JsonWriter w, string name, IReadOnlyList<CycleSummary> cycles, Func<CycleSummary, double?> pick)
    {
        w.WriteStartArray(name);
        foreach (var cycle in cycles)
        {
            if (pick(cycle) is { } number && double.IsFinite(number))
            {
                w.WriteNumberValue(Math.Round(number, 6));
            }
            else
            {
                w.WriteNullValue();
            }
        }
        w.WriteEndArray();
    }

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
