using System.Text.Json;
using Rig.Service.Configuration;
using Rig.Service.Control;
using Rig.Service.Engine.Protocols;
using Rig.Service.Metrics;
using Rig.Service.Recording;
using Rig.Service.Store;

namespace Rig.Service.Engine.Simulation;

/// <summary>
/// What a twin calibration fits to: a finished test's closed cycles, how it ended, the protocol it ran and the
/// conditions the cell sat at; from the store (a test id) or from a Battery Data Format file read by the same
/// reader <c>analyze</c> uses (<see cref="BdfAnalyzer"/>, with its metadata sidecar).
/// </summary>
public sealed record CalibrationSource(string Source, string ChannelId, ProtocolPlan Plan, IReadOnlyList<CycleSummary> Cycles, TestEndRecord? End, DryRunConditions Conditions)
{
    /// <summary>A finished test in the store: its protocol as started, its cycles, and the conditions measured per cycle.</summary>
    public static (CalibrationSource? Source, string? Why) FromStore(RigStore store, string testId, RigOptions rig)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(rig);
        if (store.FindTest(testId) is not { } test)
        {
            return (null, $"no test '{testId}' in the store (list-tests names them)");
        }
        if (!rig.Channels.ContainsKey(test.ChannelId))
        {
            return (null, $"test {testId} ran on channel {test.ChannelId}, which this rig no longer has");
        }
        ProtocolPlan plan;
        try
        {
            plan = ProtocolCompiler.Compile(test.Start.ProtocolText, test.Start.Parameters);
        }
        catch (ProtocolException ex)
        {
            return (null, $"the test's protocol no longer compiles: {ex.Message}");
        }
        var cycles = store.ReadCycles(testId);
        // The conditions that made the numbers: what was measured, else what the protocol asked for.
        var asked = DryRunner.ConditionsOf(plan);
        var pressures = cycles.Where(c => c.MeanStackPressureMegapascals is not null).Select(c => c.MeanStackPressureMegapascals!.Value).ToList();
        var temperatures = cycles.Where(c => c.MeanTemperatureCelsius is not null).Select(c => c.MeanTemperatureCelsius!.Value).ToList();
        var conditions = new DryRunConditions(
            temperatures.Count > 0 ? temperatures.Average() : asked.TemperatureCelsius,
            pressures.Count > 0 ? pressures.Average() : asked.StackPressureMegapascals);
        return (new CalibrationSource(testId, test.ChannelId, plan, cycles, test.End, conditions), null);
    }

    /// <summary>
    /// A BDF CSV (ours, or another lab's) and its <c>.bdf.metadata.json</c>, if any. The channel whose twin is fitted
    /// is <paramref name="channelId"/>, else the one the file's start record names; the protocol is
    /// <paramref name="protocol"/>'s preset or text when given, else the one the file's start record holds (our
    /// export writes it); the conditions are <paramref name="protocol"/>'s explicit ones, else the file's measured
    /// means (Temperature T1, Surface Pressure), else the protocol's. Areal capacities use the sidecar's cell area,
    /// else the channel's configured one.
    /// </summary>
    public static (CalibrationSource? Source, string? Why) FromBdf(string path, string? channelId, DryRunRequest? protocol, RigOptions rig, PresetLibrary presets)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(rig);
        ArgumentNullException.ThrowIfNull(presets);
        AnalysisReport report;
        try
        {
            report = BdfAnalyzer.Analyze(path);
        }
        catch (BdfFormatException ex)
        {
            return (null, ex.Message);
        }
        catch (InvalidDataException ex)
        {
            // RegularFile's words: a FIFO, a device, a directory or an oversized file, refused before a byte is read.
            return (null, ex.Message);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException or OutOfMemoryException)
        {
            return (null, $"{Path.GetFileName(path)}: cannot be read as a Battery Data Format text file");
        }
        var start = report.Sidecar?.Provenance;
        channelId ??= Text(start, "channel_id");
        if (channelId is null)
        {
            return (null, $"{Path.GetFileName(path)} names no channel in its metadata: say which channel's twin to fit");
        }
        if (!rig.Channels.TryGetValue(channelId, out var channel))
        {
            return (null, $"unknown channel '{channelId}' (this rig has: {string.Join(", ", rig.Channels.Keys)})");
        }
        if (start is { } s && s.TryGetProperty("cell", out var cell) && Text(cell, "chemistry") is { } chemistry
            && !string.Equals(chemistry, channel.Cell.Chemistry.ToString(), StringComparison.Ordinal))
        {
            return (null, $"{Path.GetFileName(path)} is a {chemistry} test; channel {channelId} holds a {channel.Cell.Chemistry}");
        }
        var request = protocol ?? (Text(start, "protocol_text") is { } text ? new DryRunRequest(null, text, Parameters(start), null, null) : null);
        if (request is null)
        {
            return (null, $"{Path.GetFileName(path)} holds no protocol in its metadata: give the preset or protocol it ran");
        }
        var (plan, asked, refused) = request.Prepare(channelId, channel, presets);
        if (refused is not null)
        {
            return (null, refused);
        }
        var conditions = new DryRunConditions(
            request.TemperatureCelsius ?? report.MeanTemperatureCelsius ?? asked!.TemperatureCelsius,
            request.StackPressureMegapascals ?? (report.MeanSurfacePressurePascals / 1e6) ?? asked!.StackPressureMegapascals);
        var area = report.Sidecar?.CellAreaCm2 ?? channel.Cell.AreaCm2;
        var source = Path.GetFileName(path);
        var cycles = report.Cycles.Select(c => Summary(source, channelId, c, area)).ToList();
        var end = report.Sidecar?.End;
        var ccd = Number(end, "critical_current_density_milliamps_per_square_centimetre");
        var finalState = Enum.TryParse<RunState>(Text(end, "final_state"), out var state) ? state : RunState.Finished;
        var ended = new TestEndRecord(source, channelId, default, finalState, Text(end, "reason") ?? "", report.Test.InitialCoulombicEfficiency,
            report.Test.AverageCoulombicEfficiency, report.Test.CyclesTo80PercentRetention, report.Test.CyclesTo70PercentRetention, ccd);
        return (new CalibrationSource(source, channelId, plan!, cycles, ended, conditions), null);
    }

    // The analyser's cycle as the engine's summary: the same formulas (CycleMetrics), areal by the cell's area.
    private static CycleSummary Summary(string source, string channelId, AnalysedCycle cycle, double areaCm2)
    {
        var m = cycle.Metrics;
        return new CycleSummary(source, channelId, m.Cycle, default, m.ChargeMilliampHours, m.DischargeMilliampHours,
            m.ChargeMilliampHours / areaCm2, m.DischargeMilliampHours / areaCm2, m.CoulombicEfficiency, m.ChargeMilliwattHours,
            m.DischargeMilliwattHours, m.EnergyEfficiency, m.MeanChargeVoltage, m.MeanDischargeVoltage, 0, 0, null, null, cycle.Retention);
    }

    private static string? Text(JsonElement? parent, string name) =>
        parent is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString() : null;

    private static double? Number(JsonElement? parent, string name) =>
        parent is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            && value.TryGetDouble(out var number) && double.IsFinite(number) ? number : null;

    private static Dictionary<string, string>? Parameters(JsonElement? start)
    {
        if (start is not { ValueKind: JsonValueKind.Object } s || !s.TryGetProperty("parameters", out var parameters) || parameters.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        return parameters.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String)
            .ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
    }
}
