using System.Globalization;
using System.Text;
using System.Text.Json;
using Rig.Service.Configuration;
using Rig.Service.Recording;
using Rig.Service.Store;
using Rig.Service.Telemetry;

namespace Rig.Service.Export;

/// <summary>
/// Writes a test (finished or still running: what is stored so far) as Battery Data Format CSV
/// (Battery Data Alliance ontology v1.3 column labels), its cycle summary as CSV, and its start/end documents
/// as a metadata sidecar. Sign convention of "Current / A": positive = charging = sodium plating onto the Al
/// collector (BDF and Arbin convention); the instrument's own sign (positive out of HI) is flipped for half
/// cells, whose Al electrode is on HI. Pages through the store, so memory does not grow with the test.
/// </summary>
public sealed class BdfExporter
{
    private const int PageSize = 5000;

    public static readonly string[] SampleColumns =
    [
        "Record Index / 1", "Unix Time / s", "Test Time / s", "Step Time / s", "Cycle Count / 1", "Step Count / 1", "Step ID",
        "Step Type", "Voltage / V", "Current / A", "Step Capacity / Ah", "Charging Capacity / Ah", "Discharging Capacity / Ah",
        "Surface Pressure / Pa", "Temperature T1 / degC", "Clamp Force / N",
    ];

    public static readonly string[] CycleColumns =
    [
        "Cycle Count / 1", "Unix Time / s", "Charging Capacity / mAh", "Discharging Capacity / mAh", "Charging Areal Capacity / mAh/cm2",
        "Discharging Areal Capacity / mAh/cm2", "Coulombic Efficiency / 1", "Charging Energy / mWh", "Discharging Energy / mWh",
        "Energy Efficiency / 1", "Mean Charging Voltage / V", "Mean Discharging Voltage / V", "CV Hold Capacity / mAh", "CV Hold Time / s",
        "Mean Surface Pressure / MPa", "Mean Temperature / degC", "Capacity Retention / 1",
    ];

    private readonly RigStore _store;

    public BdfExporter(RigStore store)
    {
        _store = store;
    }

    /// <summary>Writes the files into <paramref name="directory"/>; returns their paths, or null if the test is unknown.</summary>
    public async Task<IReadOnlyList<string>?> ExportAsync(string testId, string directory, CancellationToken cancellationToken)
    {
        if (_store.FindTest(testId) is not { } test)
        {
            return null;
        }
        Directory.CreateDirectory(directory);
        var safeName = string.Concat(testId.Select(c => Path.GetInvalidFileNameChars().Contains(c) ? '_' : c));
        var samplesPath = Path.Combine(directory, $"{safeName}.bdf.csv");
        var cyclesPath = Path.Combine(directory, $"{safeName}.cycles.csv");
        var metadataPath = Path.Combine(directory, $"{safeName}.metadata.json");
        var halfCell = test.Start.Cell.Chemistry == CellChemistry.AnodeFreeHalfCell;
        await using (var writer = new StreamWriter(samplesPath, false, new UTF8Encoding(false)))
        {
            await writer.WriteLineAsync(string.Join(',', SampleColumns));
            long after = 0;
            var stepCount = 0;
            TestSampleRecord? previous = null;
            while (true)
            {
                var page = _store.ReadSamples(testId, test.ChannelId, after, PageSize);
                foreach (var (index, s) in page)
                {
                    if (previous is null || previous.StepEnd || previous.StepIndex != s.StepIndex)
                    {
                        stepCount++;
                    }
                    previous = s;
                    await writer.WriteLineAsync(Row(index, s.Timestamp.ToUnixTimeMilliseconds() / 1000.0, s.TestTimeSeconds, s.StepTimeSeconds,
                        s.Cycle, stepCount, s.StepIndex, s.StepType, s.VoltageVolts, TelemetryPayloads.ChargingCurrent(s.CurrentAmperes, halfCell),
                        s.StepCapacityAmpHours, s.ChargeCapacityAmpHours, s.DischargeCapacityAmpHours, s.StackPressurePascals,
                        s.TemperatureCelsius, s.ForceNewtons).AsMemory(), cancellationToken);
                    after = index;
                }
                if (page.Count < PageSize)
                {
                    break;
                }
            }
        }
        await using (var writer = new StreamWriter(cyclesPath, false, new UTF8Encoding(false)))
        {
            await writer.WriteLineAsync(string.Join(',', CycleColumns));
            foreach (var c in _store.ReadCycles(testId))
            {
                await writer.WriteLineAsync(Row(c.Cycle, c.ClosedAt.ToUnixTimeMilliseconds() / 1000.0, c.ChargeCapacityMilliampHours,
                    c.DischargeCapacityMilliampHours, c.ChargeArealCapacityMilliampHoursPerSquareCentimetre,
                    c.DischargeArealCapacityMilliampHoursPerSquareCentimetre, c.CoulombicEfficiency, c.ChargeEnergyMilliwattHours,
                    c.DischargeEnergyMilliwattHours, c.EnergyEfficiency, c.MeanChargeVoltageVolts, c.MeanDischargeVoltageVolts,
                    c.CvHoldCapacityMilliampHours, c.CvHoldSeconds, c.MeanStackPressureMegapascals, c.MeanTemperatureCelsius,
                    c.CapacityRetention).AsMemory(), cancellationToken);
            }
        }
        var metadata = new Dictionary<string, object?>
        {
            ["current_sign_convention"] = "Current / A positive = charging = sodium plating onto the Al current collector",
            ["start"] = test.Start,
            ["end"] = test.End,
        };
        await File.WriteAllTextAsync(metadataPath, JsonSerializer.Serialize(metadata, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<Dictionary<string, object?>>)StoreJson.Indented.GetTypeInfo(typeof(Dictionary<string, object?>))), cancellationToken);
        return [samplesPath, cyclesPath, metadataPath];
    }

    private static string Row(params object?[] cells) => string.Join(',', cells.Select(Cell));

    private static string Cell(object? cell) => cell switch
    {
        null => "",
        double d when !double.IsFinite(d) => "",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        string s when s.AsSpan().IndexOfAny(",\"\n") >= 0 => $"\"{s.Replace("\"", "\"\"", StringComparison.Ordinal)}\"",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => cell.ToString() ?? "",
    };
}
