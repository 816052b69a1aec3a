using System.Text;
using System.Text.Json;
using Rig.Archive.Ingest;

namespace Rig.Archive.Storage;

public sealed record SampleRow(string Rig, string Channel, long Seq, DateTime Time, string? TestId, double? TestTimeS, double? StepTimeS,
    int? Cycle, int? Step, string? StepType, double? VoltageV, double? CurrentA, double? CurrentChargingA, double? StepCapacityAh,
    double? StackPressureMPa, double? ForceN, double? TemperatureDegC, bool StepEnd);

public sealed record CycleRow(string Rig, string Channel, long Seq, DateTime Time, string? TestId, int? Cycle, double? ChargeCapacityMAh,
    double? DischargeCapacityMAh, double? ChargeArealMAhCm2, double? DischargeArealMAhCm2, double? CoulombicEfficiency,
    double? EnergyEfficiency, double? CapacityRetention, double? MeanStackPressureMPa, double? MeanTemperatureDegC, string Summary);

public sealed record EventRow(string Rig, long Seq, DateTime Time, string? Severity, string? Source, string? Code, string? Message,
    string? FaultKind, string? FaultDevice);

/// <summary>One impedance spectrum (docs/impedance.md): its sweep, the headline fit numbers as columns, and the whole document.</summary>
public sealed record SpectrumRow(string Rig, string Channel, long Seq, DateTime Time, string? TestId, int? Cycle, int? Step, string? StepText,
    string? Analyzer, DateTime? StartedAt, DateTime? EndedAt, double? AmplitudeV, double? BiasV, int Points, int? PointsUsed,
    double? RelativeMisfit, double? RBulkOhm, double? RBulkErrorOhm, double? RGbOhm, double? RIntOhm, double? IonicConductivitySPerCm,
    double? IonicConductivityErrorSPerCm, string? FitProblem, string Document);

public sealed record StateRow(string Rig, string Channel, long Seq, DateTime Time, string? RunState, string? TestId, string? Protocol,
    string? CellName, string? Chemistry, double? AreaCm2, string State);

/// <summary>
/// A batch of messages sorted into rows per table. Messages that are not what the rigs publish (not JSON, no seq)
/// are counted as rejected and acknowledged anyway: redelivering them would not make them valid.
/// </summary>
public sealed class BatchRows
{
    public List<SampleRow> Samples { get; } = [];
    public List<CycleRow> Cycles { get; } = [];
    public List<EventRow> Events { get; } = [];
    public List<SpectrumRow> Spectra { get; } = [];
    public Dictionary<(string Rig, string Channel), StateRow> States { get; } = [];
    public Dictionary<string, (bool Online, DateTime At)> Status { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, (string? Version, string Info, DateTime At)> Info { get; } = new(StringComparer.Ordinal);

    /// <summary>Highest seq per (rig, stream) of the gap-free streams in this batch.</summary>
    public Dictionary<(string Rig, string Stream), long> Heads { get; } = [];

    public int Rejected { get; private set; }

    public static BatchRows From(IEnumerable<ArchiveMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var rows = new BatchRows();
        foreach (var message in messages)
        {
            if (!rows.Add(message))
            {
                rows.Rejected++;
            }
        }
        return rows;
    }

    private bool Add(ArchiveMessage message)
    {
        var topic = message.Topic;
        if (topic.Kind == MessageKind.Status)
        {
            var text = Encoding.UTF8.GetString(message.Payload).Trim();
            Status[topic.Rig] = (text == "online", message.ReceivedAt.UtcDateTime);
            return text is "online" or "offline";
        }
        // Parsed in place and read while the document is alive (ArchiveMessage.Json() clones it: a copy per message).
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(message.Payload);
        }
        catch (JsonException)
        {
            return false;
        }
        using (document)
        {
            return document.RootElement.ValueKind == JsonValueKind.Object && Add(message, topic, document.RootElement);
        }
    }

    private bool Add(ArchiveMessage message, RigTopic topic, JsonElement json)
    {
        if (topic.Kind == MessageKind.Info)
        {
            Info[topic.Rig] = (Str(json, "software_version") ?? Str(json, "version"), json.GetRawText(), message.ReceivedAt.UtcDateTime);
            return true;
        }
        if (Long(json, "seq") is not { } seq || seq < 1)
        {
            return false;
        }
        var time = Time(json) ?? Date(json, "ended") ?? message.ReceivedAt.UtcDateTime;
        switch (topic.Kind)
        {
            case MessageKind.Telemetry:
                Samples.Add(new SampleRow(topic.Rig, topic.Channel, seq, time, Str(json, "test_id"), Num(json, "test_time_s"),
                    Num(json, "step_time_s"), Int(json, "cycle"), Int(json, "step"), Str(json, "step_type"), Num(json, "voltage_V"),
                    Num(json, "current_A"), Num(json, "current_charging_A"), Num(json, "step_capacity_Ah"), Num(json, "stack_pressure_MPa"),
                    Num(json, "force_N"), Num(json, "temperature_degC"), json.TryGetProperty("step_end", out var end) && end.ValueKind == JsonValueKind.True));
                break;
            case MessageKind.Cycle:
                Cycles.Add(new CycleRow(topic.Rig, topic.Channel, seq, time, Str(json, "test_id"), Int(json, "cycle"),
                    Num(json, "charge_capacity_mAh"), Num(json, "discharge_capacity_mAh"), Num(json, "charge_areal_capacity_mAh_cm2"),
                    Num(json, "discharge_areal_capacity_mAh_cm2"), Num(json, "coulombic_efficiency_1"), Num(json, "energy_efficiency_1"),
                    Num(json, "capacity_retention_1"), Num(json, "mean_stack_pressure_MPa"), Num(json, "mean_temperature_degC"), json.GetRawText()));
                break;
            case MessageKind.Event:
                Events.Add(new EventRow(topic.Rig, seq, time, Str(json, "severity"), Str(json, "source"), Str(json, "code"), Str(json, "message"),
                    Str(json, "fault_kind"), Str(json, "fault_device")));
                break;
            case MessageKind.Spectrum:
                Spectra.Add(Spectrum(topic, seq, time, json));
                break;
            case MessageKind.State:
                var cell = json.TryGetProperty("cell", out var c) && c.ValueKind == JsonValueKind.Object ? c : (JsonElement?)null;
                var row = new StateRow(topic.Rig, topic.Channel, seq, time, Str(json, "run_state"), Str(json, "test_id"), Str(json, "protocol"),
                    cell is { } n ? Str(n, "name") : null, cell is { } h ? Str(h, "chemistry") : null, cell is { } a ? Num(a, "area_cm2") : null,
                    json.GetRawText());
                if (!States.TryGetValue((row.Rig, row.Channel), out var known) || known.Time <= row.Time)
                {
                    States[(row.Rig, row.Channel)] = row;
                }
                break;
            default:
                return false;
        }
        if (topic.IsGapFree)
        {
            var key = (topic.Rig, topic.Stream);
            Heads[key] = Math.Max(seq, Heads.GetValueOrDefault(key));
        }
        return true;
    }

    private static SpectrumRow Spectrum(RigTopic topic, long seq, DateTime time, JsonElement json)
    {
        var points = json.TryGetProperty("points", out var p) && p.ValueKind == JsonValueKind.Object
            && p.TryGetProperty("f_Hz", out var f) && f.ValueKind == JsonValueKind.Array ? f.GetArrayLength() : 0;
        var fit = json.TryGetProperty("fit", out var ft) && ft.ValueKind == JsonValueKind.Object ? ft : (JsonElement?)null;
        var parameters = fit is { } x && x.TryGetProperty("parameters", out var ps) && ps.ValueKind == JsonValueKind.Object ? ps : (JsonElement?)null;
        double? Parameter(string name, string part) =>
            parameters is { } all && all.TryGetProperty(name, out var one) && one.ValueKind == JsonValueKind.Object ? Num(one, part) : null;
        var sigma = json.TryGetProperty("ionic_conductivity_S_per_cm", out var sg) && sg.ValueKind == JsonValueKind.Object ? sg : (JsonElement?)null;
        return new SpectrumRow(topic.Rig, topic.Channel, seq, time, Str(json, "test_id"), Int(json, "cycle"), Int(json, "step"),
            Str(json, "step_text"), Str(json, "analyzer"), Date(json, "started"), Date(json, "ended"), Num(json, "amplitude_V"),
            Num(json, "bias_V"), points, fit is { } a ? Int(a, "points_used") : null, fit is { } b ? Num(b, "relative_misfit") : null,
            Parameter("R_bulk", "value"), Parameter("R_bulk", "error"), Parameter("R_gb", "value"), Parameter("R_int", "value"),
            sigma is { } s1 ? Num(s1, "value") : null, sigma is { } s2 ? Num(s2, "error") : null, Str(json, "fit_problem"), json.GetRawText());
    }

    private static DateTime? Date(JsonElement json, string name) =>
        json.TryGetProperty(name, out var t) && t.ValueKind == JsonValueKind.String && t.TryGetDateTimeOffset(out var at) ? at.UtcDateTime : null;

    private static DateTime? Time(JsonElement json)
    {
        if (Num(json, "unix_time_s") is { } unix)
        {
            return DateTime.UnixEpoch.AddTicks((long)Math.Round(unix * TimeSpan.TicksPerSecond));
        }
        return json.TryGetProperty("time", out var t) && t.ValueKind == JsonValueKind.String && t.TryGetDateTimeOffset(out var at)
            ? at.UtcDateTime : null;
    }

    private static string? Str(JsonElement json, string name) =>
        json.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static double? Num(JsonElement json, string name) =>
        json.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    private static int? Int(JsonElement json, string name) =>
        json.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : null;

    private static long? Long(JsonElement json, string name) =>
        json.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var i) ? i : null;
}
