using System.Globalization;
using System.Text;
using System.Text.Json;
using Rig.Service.Configuration;
using Rig.Service.Engine.Protocols;
using Rig.Service.Impedance;
using Rig.Service.Recording;
using Rig.Service.Store;
using Rig.Service.Telemetry;

namespace Rig.Service.Export;

/// <summary>
/// Writes a test (finished or still running: what is stored so far) as Battery Data Format CSV with the ontology
/// 1.3.0 labels (<see cref="BdfColumns"/>), its cycle summary as CSV, and its start/end documents and the meaning of
/// every column as the <c>.bdf.metadata.json</c> sidecar, and each impedance spectrum as <c>.spectrum-NNN.csv</c>
/// (<see cref="SpectrumCsv"/>). Sign convention of "Current / A": positive = charging =
/// sodium plating onto the Al collector (BDF); the instrument's own sign (positive out of HI) is flipped for half
/// cells, whose Al electrode is on HI. Pages through the store, so memory does not grow with the test.
/// Rows follow the ontology's rules (docs/metrics.md, "The export"): the engine records the sample that ends one step
/// and, at the same instant, the one that opens the next; only the first is written, so no instant appears twice and
/// no row labels the old step's current with the new step's type. Record Index counts the written rows from 1.
/// </summary>
public sealed class BdfExporter
{
    private const int PageSize = 5000;

    public static IReadOnlyList<string> SampleColumns => BdfColumns.Samples;

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
        var metadataPath = Path.Combine(directory, $"{safeName}.bdf.metadata.json");
        var halfCell = test.Start.Cell.Chemistry == CellChemistry.AnodeFreeHalfCell;
        await using (var writer = new StreamWriter(samplesPath, false, new UTF8Encoding(false)))
        {
            await writer.WriteLineAsync(string.Join(',', BdfColumns.Samples));
            var rows = new RowState();
            long after = 0;
            while (true)
            {
                var page = _store.ReadSamples(testId, test.ChannelId, after, PageSize);
                foreach (var (index, s) in page)
                {
                    after = index;
                    if (rows.Next(s, halfCell) is { } row)
                    {
                        await writer.WriteLineAsync(row.AsMemory(), cancellationToken);
                    }
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
        var spectra = new List<string>();
        var spectrumDocuments = _store.ReadSpectra(testId);
        for (var i = 0; i < spectrumDocuments.Count; i++)
        {
            // One file per impedance sweep, in the order measured (SpectrumCsv: the sweep and its fit as '#' lines).
            var spectrumPath = Path.Combine(directory, $"{safeName}.spectrum-{i + 1:000}.csv");
            await using var writer = new StreamWriter(spectrumPath, false, new UTF8Encoding(false));
            SpectrumCsv.Write(spectrumDocuments[i], writer);
            spectra.Add(spectrumPath);
        }
        var sidecar = new BdfSidecar(new BdfSidecarExtras(Metadata(test, Path.GetFileName(cyclesPath))));
        await File.WriteAllTextAsync(metadataPath, JsonSerializer.Serialize(sidecar,
            (System.Text.Json.Serialization.Metadata.JsonTypeInfo<BdfSidecar>)BdfSidecarJson.Indented.GetTypeInfo(typeof(BdfSidecar))),
            cancellationToken);
        return [samplesPath, cyclesPath, metadataPath, .. spectra];
    }

    private static ExportedTestMetadata Metadata(StoredTest test, string cyclesFile)
    {
        var start = test.Start;
        var zone = start.Heater is { } heater ? $"heater zone '{heater.ZoneId}'" : "the channel's heater zone";
        var columns = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [BdfColumns.TestTime] = "time the test ran: paused and dead time (pauses, interlocks, a restart) excluded; Unix Time / s is the wall clock",
            [BdfColumns.Current] = "positive = charging = sodium plating onto the Al current collector",
            [BdfColumns.StepId] = "the protocol's instruction index; Step Count / 1 increments at every step begun",
            [BdfColumns.StepType] = "CC_CHG/CC_DCH constant current, CV_CHG/CV_DCH a voltage hold after a charging/discharging step, REST (0 A, output on), LSV a linear voltage sweep, EIS an impedance measurement (output off)",
            [BdfColumns.ChargingCapacity] = "cumulative from test start, never reset (ontology 1.3.0)",
            [BdfColumns.DischargingCapacity] = "cumulative from test start, never reset",
            [BdfColumns.CycleChargingCapacity] = "the cycle's plating (charging) half so far, CV hold included; reset when Cycle Count increments",
            [BdfColumns.CycleDischargingCapacity] = "the cycle's stripping (discharging) half so far; reset when Cycle Count increments",
            [BdfColumns.SurfacePressure] = "measured: the clamp's load-cell force over the electrode area (not the set-point)",
            [BdfColumns.TemperatureT1] = $"the sensor of {zone} in the heated die block around the cell: neither the cell itself nor the room; empty without a heater zone. The rig has no room sensor, so there is no Ambient Temperature / degC column",
        };
        var formation = 0;
        try
        {
            formation = ProtocolCompiler.Compile(start.ProtocolText, start.Parameters, rejectUnusedOverrides: false).FormationCycles;
        }
        catch (ProtocolException)
        {
            // A protocol this build no longer compiles: retention then counts from cycle 1, as analyze does by default.
        }
        return new ExportedTestMetadata(BdfColumns.OntologyVersion,
            "Current / A positive = charging = sodium plating onto the Al current collector",
            "Test Time / s excludes paused time",
            columns,
            [new CustomMeasurement("Clamp Force", "N", "the clamp's load-cell force on the cell stack, measured every sample")],
            new ExportedCell(start.Cell.Name, start.Cell.Chemistry, start.Cell.AreaCm2, null, start.Cell.Build),
            formation, cyclesFile, start, test.End);
    }

    /// <summary>The running state of the sample rows: step count, cumulative capacities, the step direction before a hold.</summary>
    private sealed class RowState
    {
        private TestSampleRecord? _previous;
        private int _stepCount;
        private long _recordIndex;
        private double _chargeBaseAmpHours;
        private double _dischargeBaseAmpHours;
        private bool? _lastConstantCurrentCharged;

        /// <summary>The CSV line for <paramref name="s"/>, or null for the second record of a step-change instant.</summary>
        public string? Next(TestSampleRecord s, bool halfCell)
        {
            var previous = _previous;
            _previous = s;
            if (previous is not null)
            {
                Rebase(previous, s);
            }
            if (previous is null || previous.StepEnd || previous.StepIndex != s.StepIndex)
            {
                _stepCount++;
            }
            if (previous is not null && previous.StepEnd && previous.Timestamp == s.Timestamp && previous.TestTimeSeconds == s.TestTimeSeconds)
            {
                // The entry record of the next step at the instant the last one ended: that instant is written already,
                // with the current that flowed then; a second row would repeat it under the new step's type.
                return null;
            }
            var amperes = TelemetryPayloads.ChargingCurrent(s.CurrentAmperes, halfCell);
            var type = BdfStepTypes.For(s.StepType, _lastConstantCurrentCharged, amperes);
            if (type is BdfStepTypes.ConstantCurrentCharge or BdfStepTypes.ConstantCurrentDischarge)
            {
                _lastConstantCurrentCharged = type == BdfStepTypes.ConstantCurrentCharge;
            }
            return Row(++_recordIndex, s.Timestamp.ToUnixTimeMilliseconds() / 1000.0, s.TestTimeSeconds, s.StepTimeSeconds,
                s.Cycle, _stepCount, s.StepIndex, type, s.VoltageVolts, amperes, s.StepCapacityAmpHours,
                _chargeBaseAmpHours + s.ChargeCapacityAmpHours, _dischargeBaseAmpHours + s.DischargeCapacityAmpHours,
                s.ChargeCapacityAmpHours, s.DischargeCapacityAmpHours, s.StackPressurePascals, s.TemperatureCelsius, s.ForceNewtons);
        }

        // The engine's per-cycle sums restart when a cycle closes: what the closed cycle held joins the cumulative base.
        private void Rebase(TestSampleRecord previous, TestSampleRecord next)
        {
            if (next.Cycle != previous.Cycle)
            {
                _chargeBaseAmpHours += previous.ChargeCapacityAmpHours;
                _dischargeBaseAmpHours += previous.DischargeCapacityAmpHours;
            }
        }
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
