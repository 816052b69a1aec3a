using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rig.Service.Channels;
using Rig.Service.Configuration;
using Rig.Drivers.Impedance;
using Rig.Drivers.Impedance.Fitting;
using Rig.Drivers.Impedance.Simulation;
using Rig.Service.Engine;
using Rig.Service.Export;
using Rig.Service.Impedance;
using UnitsNet;
using Rig.Service.Recording;
using Rig.Service.Store;

namespace Rig.Service.Tests.Store;

/// <summary>The store on real SQLite files in a temp directory: recording policy, durability, export.</summary>
public sealed class StoreRecordingTests : IDisposable
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-02-01T09:00:00Z", CultureInfo.InvariantCulture);
    private readonly string _directory = Directory.CreateTempSubdirectory("rig-store-").FullName;

    public void Dispose() => Directory.Delete(_directory, true);

    private string Db => Path.Combine(_directory, "rig.db");

    /// <summary>The recorder with the shipped recording policy (10 s, 1 mV, 0.01 mA).</summary>
    internal static StoreTestRecorder Recorder(RigStore store, StoreOptions? options = null) =>
        new(store, Options.Create(options ?? new StoreOptions { RecordPeriod = TimeSpan.FromSeconds(10), RecordDeltaVoltageMillivolts = 1, RecordDeltaCurrentMilliamps = 0.01 }));

    private static TestStartRecord StartRecord(string testId, CellChemistry chemistry = CellChemistry.AnodeFreeHalfCell) =>
        new(testId, "rig-t", "ch1", Start, new CellOptions { Name = "HC-01", Chemistry = chemistry }, "plate-strip", "steps: []",
            new Dictionary<string, string>(), "0.1.0", "{\"ch1\":{\"tare_N\":0.4}}", "ana", null);

    private static TestSampleRecord Sample(string testId, double t, double volts, double amps, int step = 1, bool stepEnd = false) =>
        new(testId, "ch1", Start.AddSeconds(t), t, t, 1, step, "CC_CHG", volts, amps, 0, 0, 0, 785, 10e6, 40, stepEnd);

    [Fact]
    public async Task Recording_keeps_one_sample_per_period_every_voltage_change_beyond_the_threshold_and_every_step_end()
    {
        using var store = new RigStore(Db);
        var recorder = Recorder(store);
        await recorder.TestStartedAsync(StartRecord("t1"), CancellationToken.None);
        // 60 s of a flat voltage at 1 Hz: kept at t=0 (first), 10, 20, 30, 40, 50.
        for (var t = 0; t < 60; t++)
        {
            await recorder.SampleAsync(Sample("t1", t, 0.0100, -0.000785), CancellationToken.None);
        }
        // A 2 mV jump at t=61 (beyond 1 mV) and a step end at t=62.
        await recorder.SampleAsync(Sample("t1", 61, 0.0120, -0.000785), CancellationToken.None);
        await recorder.SampleAsync(Sample("t1", 62, 0.0121, -0.000785, stepEnd: true), CancellationToken.None);
        // Next step's first sample.
        await recorder.SampleAsync(Sample("t1", 63, 0.0121, 0.000785, step: 2), CancellationToken.None);

        var kept = store.ReadSamples("t1", "ch1", 0, 1000).Select(s => s.Sample.TestTimeSeconds).ToList();
        Assert.Equal([0, 10, 20, 30, 40, 50, 61, 62, 63], kept);
        // Each kept sample queued for telemetry in the same transaction (besides the test's empty cycle history).
        Assert.Equal(kept.Count, store.ReadUnsent(0, 1000).Count(m => m.Stream == "ch1/telemetry"));
    }

    [Fact]
    public async Task Sequence_numbers_and_samples_survive_reopening_the_store()
    {
        using (var store = new RigStore(Db))
        {
            var recorder = Recorder(store);
            await recorder.TestStartedAsync(StartRecord("t1"), CancellationToken.None);
            await recorder.SampleAsync(Sample("t1", 0, 0.01, -0.001), CancellationToken.None);
            await recorder.SampleAsync(Sample("t1", 20, 0.01, -0.001), CancellationToken.None);
        }
        using (var reopened = new RigStore(Db))
        {
            await Recorder(reopened).SampleAsync(Sample("t1", 40, 0.01, -0.001), CancellationToken.None);
            var page = reopened.ReadUnsent(0, 10).Where(m => m.Stream == "ch1/telemetry").ToList();
            Assert.Equal([1L, 2, 3], page.Select(m => m.Seq));
            Assert.All(page, m => Assert.Equal("ch1/telemetry", m.Topic));
            Assert.Equal([1L, 2, 3], reopened.ReadSamples("t1", "ch1", 0, 10).Select(s => s.RecordIndex));
        }
    }

    [Fact]
    public void An_unpublished_channel_state_is_superseded_by_the_next_one()
    {
        using var store = new RigStore(Db);
        store.SetChannelState("ch1", Start, "{\"v\":1}", seq => System.Text.Encoding.UTF8.GetBytes($"{{\"seq\":{seq}}}"));
        store.SetChannelState("ch1", Start.AddSeconds(5), "{\"v\":2}", seq => System.Text.Encoding.UTF8.GetBytes($"{{\"seq\":{seq}}}"));

        var queued = Assert.Single(store.ReadUnsent(0, 10));
        Assert.Equal(2, queued.Seq);
        Assert.True(queued.Retain);
        Assert.Equal("{\"v\":2}", store.ChannelState("ch1"));
    }

    [Fact]
    public async Task Rig_events_are_stored_and_queued_without_blocking_the_raiser()
    {
        using var store = new RigStore(Db);
        var events = new RigEvents(NullLogger<RigEvents>.Instance);
        using var recorder = new EventRecorder(events, store, NullLogger<EventRecorder>.Instance);
        await recorder.StartAsync(CancellationToken.None);
        events.Raise(new RigEvent(Start, RigEventSeverity.Alarm, "ch1", "fault.instrument_link_lost", "no answer in 3 s"));
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (store.CountUnsent() == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
        await recorder.StopAsync(CancellationToken.None);
        var message = Assert.Single(store.ReadUnsent(0, 10));
        Assert.Equal("events", message.Topic);
        Assert.Contains("fault.instrument_link_lost", System.Text.Encoding.UTF8.GetString(message.Payload), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_writes_battery_data_format_columns_with_charging_current_positive_for_a_half_cell()
    {
        using var store = new RigStore(Db);
        var recorder = Recorder(store);
        await recorder.TestStartedAsync(StartRecord("t1"), CancellationToken.None);
        await recorder.SampleAsync(Sample("t1", 0, -0.010, -0.000785), CancellationToken.None); // plating: negative out of HI
        await recorder.SampleAsync(Sample("t1", 30, -0.011, -0.000785, stepEnd: true), CancellationToken.None);
        await recorder.SampleAsync(Sample("t1", 31, 0.012, 0.000785, step: 2), CancellationToken.None);
        await recorder.CycleClosedAsync(new CycleSummary("t1", "ch1", 1, Start.AddSeconds(60), 3, 2.9, 3.8, 3.7, 0.97, 0, 0, 0, -0.01, 0.01, 0, 0, 10, 40, 1),
            CancellationToken.None);

        var files = await new BdfExporter(store).ExportAsync("t1", Path.Combine(_directory, "out"), CancellationToken.None);

        var lines = await File.ReadAllLinesAsync(files![0]);
        var header = lines[0].Split(',');
        Assert.Equal(["Record Index / 1", "Unix Time / s", "Test Time / s"], header[..3]);
        Assert.Contains("Voltage / V", header);
        Assert.Contains("Surface Pressure / Pa", header);
        Assert.Contains("Temperature T1 / degC", header);
        var current = Array.IndexOf(header, "Current / A");
        var stepCount = Array.IndexOf(header, "Step Count / 1");
        Assert.Equal(["0.000785", "0.000785", "-0.000785"], lines[1..].Select(l => l.Split(',')[current]));
        Assert.Equal(["1", "1", "2"], lines[1..].Select(l => l.Split(',')[stepCount]));
        var cycles = await File.ReadAllLinesAsync(files[1]);
        Assert.StartsWith("Cycle Count / 1,", cycles[0], StringComparison.Ordinal);
        Assert.StartsWith("1,", cycles[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_writes_each_impedance_spectrum_as_csv_that_reads_back_to_the_stored_points()
    {
        using var store = new RigStore(Db);
        var recorder = Recorder(store);
        await recorder.TestStartedAsync(StartRecord("t1"), CancellationToken.None);
        await recorder.SampleAsync(Sample("t1", 0, 1.2, 0), CancellationToken.None);
        var cell = SimulatedImpedanceCell.PaperPellet(CollectorKind.Foil);
        var analyzer = new SimulatedImpedanceAnalyzer("simulated 1260", cell, TimeProvider.System, seed: 9);
        var spectra = new List<ImpedanceSpectrum>();
        foreach (var (cycle, overload) in new[] { (1, false), (3, true) })
        {
            var spectrum = await analyzer.SweepAsync(ImpedanceSweep.Paper, null, CancellationToken.None);
            if (overload)
            {
                // An overloaded point is exported with its status, as measured.
                var points = spectrum.Points.ToList();
                points[5] = points[5] with { Status = ImpedancePointStatus.Overload };
                spectrum = spectrum with { Points = points };
            }
            spectra.Add(spectrum);
            var request = new ImpedanceRequest("t1", "ch1", 4, cycle, "Impedance from 1 MHz to 1 Hz at 30 mV, 10 points per decade", ImpedanceSweep.Paper);
            var measured = new MeasuredSpectrum(request, analyzer.Device, spectrum, new EquivalentCircuitFitter().Fit(spectrum.Points), null, null);
            store.SaveSpectrum("t1", "ch1", spectrum.EndedAt, cycle, 4, seq => SpectrumDocument.Build(measured, seq));
            cell.Cycle(ElectricCharge.FromMilliampereHours(5));
        }

        var files = await new BdfExporter(store).ExportAsync("t1", Path.Combine(_directory, "out"), CancellationToken.None);

        var exported = files!.Where(f => f.Contains(".spectrum-", StringComparison.Ordinal)).ToList();
        Assert.Equal(["t1.spectrum-001.csv", "t1.spectrum-002.csv"], exported.Select(Path.GetFileName));
        for (var s = 0; s < spectra.Count; s++)
        {
            var lines = await File.ReadAllLinesAsync(exported[s]);
            var header = Array.IndexOf(lines, SpectrumCsv.Header);
            Assert.StartsWith("frequency_Hz,Z_real_ohm,Z_imag_ohm,Z_mod_ohm,phase_deg,status", SpectrumCsv.Header, StringComparison.Ordinal);
            var rows = lines[(header + 1)..].Select(l => l.Split(',')).ToList();
            Assert.Equal(spectra[s].Points.Count, rows.Count);
            for (var i = 0; i < rows.Count; i++)
            {
                var point = spectra[s].Points[i];
                Assert.Equal(point.Frequency.Hertz, double.Parse(rows[i][0], CultureInfo.InvariantCulture));
                Assert.Equal(point.Real, double.Parse(rows[i][1], CultureInfo.InvariantCulture));
                Assert.Equal(point.Imaginary, double.Parse(rows[i][2], CultureInfo.InvariantCulture));
                Assert.Equal(point.Magnitude, double.Parse(rows[i][3], CultureInfo.InvariantCulture), point.Magnitude * 1e-9);
                Assert.Equal(point.Impedance.Phase * 180 / Math.PI, double.Parse(rows[i][4], CultureInfo.InvariantCulture), 1e-6);
                Assert.Equal(point.Status == ImpedancePointStatus.Ok ? "ok" : "overload", rows[i][5]);
            }
        }
    }

    [Fact]
    public async Task Export_from_the_command_line_reads_the_store_named_by_the_configuration()
    {
        using (var store = new RigStore(Db))
        {
            var recorder = Recorder(store);
            await recorder.TestStartedAsync(StartRecord("t-cli", CellChemistry.AnodeFreeFullCell), CancellationToken.None);
            await recorder.SampleAsync(Sample("t-cli", 0, 3.0, 0.000785), CancellationToken.None);
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Rig:StateDirectory"] = _directory }).Build();
        var output = Path.Combine(_directory, "cli");

        Assert.Null(await ExportCommandLine.TryRunAsync([], configuration));
        Assert.Equal(0, await ExportCommandLine.TryRunAsync(["export", "t-cli", output], configuration));
        Assert.Equal(66, await ExportCommandLine.TryRunAsync(["export", "no-such-test", output], configuration));
        var rows = await File.ReadAllLinesAsync(Path.Combine(output, "t-cli.bdf.csv"));
        Assert.Equal(2, rows.Length);
        Assert.Equal("0.000785", rows[1].Split(',')[Array.IndexOf(rows[0].Split(','), "Current / A")]); // full cell: charge is positive out of HI already
    }

    [Fact]
    public void Bad_telemetry_settings_are_refused_naming_the_key()
    {
        var validator = new Rig.Service.Telemetry.TelemetryOptionsValidator();
        var mqtt = validator.Validate(null, new Rig.Service.Telemetry.MqttOptions { TopicPrefix = "a/b", Port = 0, OutboxPageSize = 0, PasswordFile = "/no/such/file" });
        var store = validator.Validate(null, new StoreOptions { RecordPeriod = TimeSpan.Zero, FileName = "" });
        Assert.Contains(mqtt.Failures!, f => f.StartsWith("Mqtt:TopicPrefix", StringComparison.Ordinal));
        Assert.Contains(mqtt.Failures!, f => f.StartsWith("Mqtt:Port", StringComparison.Ordinal));
        Assert.Contains(mqtt.Failures!, f => f.StartsWith("Mqtt:OutboxPageSize", StringComparison.Ordinal));
        Assert.Contains(mqtt.Failures!, f => f.StartsWith("Mqtt:PasswordFile", StringComparison.Ordinal));
        Assert.Contains(store.Failures!, f => f.StartsWith("Store:RecordPeriod", StringComparison.Ordinal));
        Assert.Contains(store.Failures!, f => f.StartsWith("Store:FileName", StringComparison.Ordinal));
        Assert.True(validator.Validate(null, new Rig.Service.Telemetry.MqttOptions()).Succeeded);
    }
}
