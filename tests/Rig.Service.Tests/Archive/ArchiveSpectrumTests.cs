using System.Text.Json;
using Rig.Drivers.Impedance;
using Rig.Drivers.Impedance.Fitting;
using Rig.Drivers.Impedance.Simulation;
using Rig.Service.Engine;
using Rig.Service.Impedance;
using Rig.Service.Tests.Support;
using Rig.Service.Tests.Telemetry;

namespace Rig.Service.Tests.Archive;

/// <summary>
/// Impedance spectra reach the archive exactly once: the rig's real spectrum documents (simulated 1260 sweep, real
/// fit) through its store, outbox and a real mosquitto, into a real PostgreSQL.
/// </summary>
[Trait("Category", TestCategories.OutOfProcess)]
public sealed class ArchiveSpectrumTests : IClassFixture<PostgresFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly PostgresFixture _postgres;

    public ArchiveSpectrumTests(PostgresFixture postgres) => _postgres = postgres;

    [Fact]
    public async Task Every_spectrum_is_archived_once_across_a_missed_one_a_restart_and_a_rig_that_sends_them_again()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var db = await _postgres.Server.CreateDatabaseAsync();
        var directory = Directory.CreateTempSubdirectory("rig-archive-spectra-").FullName;
        await using var rig = new TelemetryHarness(broker.Port, Path.Combine(directory, "rig.db"), syncEveryCommit: false);
        await rig.StartAsync();
        var t0 = DateTimeOffset.Parse("2026-12-03T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var testId = await rig.StartTestAsync("ch1", t0);
        var measured = await MeasureAsync(testId);
        void Save(int cycle) => rig.Store.SaveSpectrum(testId, "ch1", t0.AddHours(cycle), cycle, 2,
            seq => SpectrumDocument.Build(measured with { Request = measured.Request with { Cycle = cycle } }, seq));

        // Two sweeps published before the archive has a session: the broker keeps only the retained second one.
        Save(0);
        Save(10);
        await ArchiveDb.WaitUntilAsync(() => Task.FromResult(rig.Store.CountUnsent() == 0), Patience, "the rig's outbox to drain");
        var settings = ArchiveHost.Settings(broker.Port, rig.Mqtt.TopicPrefix, db, "archive-spectra");
        var archive = await ArchiveHost.StartAsync(settings);
        Save(20);
        // seq 1 is a gap: the archive asks for it, the rig sends it again from its outbox.
        await ArchiveDb.WaitUntilAsync(async () => await ArchiveDb.ScalarAsync<long>(db, "SELECT count(*) FROM spectra") == 3
            && await ArchiveDb.ScalarAsync<long>(db, "SELECT count(*) FROM open_gaps") == 0, Patience, "three spectra, the missed one replayed");
        Assert.Equal(1, await ArchiveDb.ScalarAsync<long>(db,
            "SELECT count(*) FROM gaps WHERE stream = 'ch1/spectrum' AND from_seq = 1 AND to_seq = 1 AND replay_requests >= 1 AND closed_at IS NOT NULL"));

        // A sweep while the archive is away waits in its broker session.
        await archive.DisposeAsync();
        Save(30);
        await ArchiveDb.WaitUntilAsync(() => Task.FromResult(rig.Store.CountUnsent() == 0), Patience, "the fourth spectrum to be published");
        // And the rig sends the first three again (a re-sent page, a replay answered twice): nothing may double.
        Assert.Equal(3, rig.Store.RequeueForReplay("ch1/spectrum", 1, 3).Requeued);
        await using var again = await ArchiveHost.StartAsync(settings);
        await ArchiveDb.WaitUntilAsync(async () => await ArchiveDb.ScalarAsync<long>(db, "SELECT count(*) FROM spectra") == 4
            && again.Ingestor.Duplicates >= 3 && rig.Store.CountUnsent() == 0, Patience, "the fourth spectrum and the re-sent ones");

        Assert.Equal([1L, 2L, 3L, 4L], await ArchiveDb.SeqsAsync(db, "SELECT seq FROM spectra ORDER BY seq"));
        Assert.Equal([0L, 10L, 20L, 30L], await ArchiveDb.SeqsAsync(db, "SELECT cycle FROM spectra ORDER BY seq"));
        Assert.Equal(0, await ArchiveDb.ScalarAsync<long>(db, "SELECT count(*) FROM gaps WHERE closed_at IS NULL"));
        // The columns and the views read the rig's document.
        var fit = measured.Fit!;
        Assert.Equal(fit.Bulk.Value, await ArchiveDb.ScalarAsync<double>(db, "SELECT r_bulk_ohm FROM spectra WHERE seq = 3"), fit.Bulk.Value * 1e-9);
        Assert.Equal(measured.IonicConductivity!.Value.SiemensPerCentimeter,
            await ArchiveDb.ScalarAsync<double>(db, "SELECT ionic_conductivity_s_per_cm FROM spectrum_overview WHERE seq = 3"), 1e-12);
        Assert.Equal(61, await ArchiveDb.ScalarAsync<long>(db, "SELECT count(*) FROM spectrum_points WHERE seq = 3"));
        Assert.Equal(measured.Spectrum.Points[0].Real,
            await ArchiveDb.ScalarAsync<double>(db, "SELECT z_re_ohm FROM spectrum_points WHERE seq = 3 AND point = 1"), 1e-9);
        Assert.Equal(-measured.Spectrum.Points[^1].Imaginary,
            await ArchiveDb.ScalarAsync<double>(db, "SELECT minus_z_im_ohm FROM spectrum_points WHERE seq = 3 AND point = 61"), 1e-9);
        // Stamped with the sweep's end as the rig measured it, not when the archive received it.
        Assert.Equal(measured.Spectrum.EndedAt.UtcDateTime, await ArchiveDb.ScalarAsync<DateTime>(db, "SELECT time FROM spectra WHERE seq = 4"),
            TimeSpan.FromMilliseconds(0.01));

        // The replays went out unretained: the broker still holds the latest spectrum (seq 4) for a dashboard, not the
        // replayed seq 3 that was sent after it.
        await using var dashboard = await TestSubscriber.ConnectAsync(broker.Port, $"{rig.Mqtt.TopicPrefix}/{rig.Rig.Id}/ch1/spectrum");
        var retained = await dashboard.WaitForAsync(r => r.Count >= 1, TimeSpan.FromSeconds(10));
        using var latest = JsonDocument.Parse(retained[0].Payload);
        Assert.True(retained[0].Retain);
        Assert.Equal(4, latest.RootElement.GetProperty("seq").GetInt64());
        Directory.Delete(directory, true);
    }

    /// <summary>A sweep of the simulated 70 mg NBH pellet through the simulated 1260, fitted as the rig does.</summary>
    private static async Task<MeasuredSpectrum> MeasureAsync(string testId)
    {
        var cell = SimulatedImpedanceCell.PaperPellet(CollectorKind.Pellet);
        var analyzer = new SimulatedImpedanceAnalyzer("simulated 1260", cell, TimeProvider.System, seed: 7);
        var spectrum = await analyzer.SweepAsync(ImpedanceSweep.Paper, null, CancellationToken.None);
        var fit = new EquivalentCircuitFitter().Fit(spectrum.Points);
        var sigma = Conductivity.Ionic(fit.Bulk, cell.Thickness, cell.Area);
        var request = new ImpedanceRequest(testId, "ch1", 2, 0, "Impedance from 1 MHz to 1 Hz at 30 mV, 10 points per decade", ImpedanceSweep.Paper);
        return new MeasuredSpectrum(request, analyzer.Device, spectrum, fit, null, sigma);
    }
}
