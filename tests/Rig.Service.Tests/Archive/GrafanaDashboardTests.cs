using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Rig.Archive.Ingest;
using Rig.Archive.Storage;
using Rig.Service.Tests.Deploy;
using Rig.Service.Tests.Support;

namespace Rig.Service.Tests.Archive;

/// <summary>
/// The provisioned Grafana dashboards run against the archive's schema: every panel and variable query, with
/// Grafana's macros and variables expanded as Grafana would, executes on a real PostgreSQL holding a little data,
/// and every panel uses the provisioned datasource.
/// </summary>
[Trait("Category", TestCategories.OutOfProcess)]
public sealed partial class GrafanaDashboardTests : IClassFixture<PostgresFixture>
{
    private readonly PostgresFixture _postgres;

    public GrafanaDashboardTests(PostgresFixture postgres) => _postgres = postgres;

    [GeneratedRegex(@"\$__timeFilter\(([^)]+)\)")]
    private static partial Regex TimeFilter();

    [GeneratedRegex(@"\$\{?(\w+)(:\w+)?\}?")]
    private static partial Regex Variable();

    [Fact]
    public async Task Every_dashboard_query_runs_on_the_archive_schema_and_the_cycle_plots_get_rows()
    {
        var db = await _postgres.Server.CreateDatabaseAsync();
        await using var database = new ArchiveDatabase(db, NullLogger<ArchiveDatabase>.Instance);
        await database.MigrateAsync(CancellationToken.None);
        await new ArchiveWriter(database).WriteAsync(BatchRows.From(SampleData()), CancellationToken.None);

        var root = Path.Combine(DeployScripts.RepositoryRoot, "deploy/grafana");
        var datasource = await File.ReadAllTextAsync(Path.Combine(root, "provisioning/datasources/anodefreerig-archive.yaml"));
        Assert.Contains("uid: anodefreerig-archive", datasource, StringComparison.Ordinal);
        var values = new Dictionary<string, string> { ["rig"] = "'rig-01'", ["cell"] = "'HC-01'", ["test"] = "'t-1'", ["cycle"] = "'1','2'",
            ["spectrum"] = "rig-01/ch1/1" }; // single-value variables are not quoted by Grafana
        var rowsByTitle = new Dictionary<string, int>();
        foreach (var file in Directory.GetFiles(Path.Combine(root, "dashboards"), "*.json"))
        {
            var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(file)).RootElement;
            foreach (var variable in dashboard.GetProperty("templating").GetProperty("list").EnumerateArray().Where(v => v.GetProperty("type").GetString() == "query"))
            {
                await RunAsync(db, Expand(variable.GetProperty("query").GetString()!, values));
            }
            foreach (var panel in dashboard.GetProperty("panels").EnumerateArray())
            {
                Assert.Equal("anodefreerig-archive", panel.GetProperty("datasource").GetProperty("uid").GetString());
                foreach (var target in panel.GetProperty("targets").EnumerateArray())
                {
                    rowsByTitle[panel.GetProperty("title").GetString()!] = await RunAsync(db, Expand(target.GetProperty("rawSql").GetString()!, values));
                }
            }
        }
        Assert.Equal(3, rowsByTitle["Discharge capacity per cycle (Fig. 7e)"]);
        Assert.Equal(3, rowsByTitle["Coulombic efficiency per cycle (Fig. 7e)"]);
        Assert.Equal(4, rowsByTitle["Voltage vs capacity of chosen cycles (Fig. 7d)"]);
        Assert.Equal(1, rowsByTitle["Channels now"]);
        Assert.Equal(1, rowsByTitle["Tests of these cells across rigs"]);
        Assert.Equal(6, rowsByTitle["Voltage of running channels"]);
        Assert.Equal(2, rowsByTitle["Impedance spectra of these tests"]);
        Assert.Equal(3, rowsByTitle["Nyquist plot of the chosen spectrum"]); // its 4 points less the overloaded one
        Assert.Equal(1, rowsByTitle["Bulk and interface resistance per cycle"]); // the other spectrum has no fit
    }

    private static string Expand(string sql, Dictionary<string, string> values) =>
        Variable().Replace(TimeFilter().Replace(sql, m => $"{m.Groups[1].Value} BETWEEN '2026-01-01T00:00:00Z' AND '2027-01-01T00:00:00Z'"),
            m => values.TryGetValue(m.Groups[1].Value, out var value) ? value : m.Value);

    private static async Task<int> RunAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = 0;
        while (await reader.ReadAsync())
        {
            rows++;
        }
        return rows;
    }

    /// <summary>One running test of cell HC-01 on rig-01 ch1: 6 samples over cycles 1-3, 3 cycle summaries, its state, two spectra (one unfitted).</summary>
    private static IEnumerable<ArchiveMessage> SampleData()
    {
        ArchiveMessage Message(string topic, string json) =>
            new(RigTopic.Parse(topic, "anodefreerig")!, Encoding.UTF8.GetBytes(json), DateTimeOffset.Parse("2026-12-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture), null);
        for (var i = 1; i <= 6; i++)
        {
            yield return Message("anodefreerig/rig-01/ch1/telemetry",
                $$"""{"seq":{{i}},"unix_time_s":{{1_796_112_000 + i * 60}},"test_id":"t-1","cycle":{{(i + 1) / 2}},"step":{{i}},"step_type":"{{(i % 2 == 1 ? "CC_CHG" : "CC_DCH")}}","voltage_V":{{0.01 * i}},"current_A":0.001,"step_capacity_Ah":{{i * 1e-4}},"stack_pressure_MPa":10,"temperature_degC":40,"step_end":false}""");
        }
        for (var c = 1; c <= 3; c++)
        {
            yield return Message("anodefreerig/rig-01/ch1/cycles",
                $$"""{"seq":{{c}},"unix_time_s":{{1_796_112_000 + c * 120}},"test_id":"t-1","cycle":{{c}},"discharge_areal_capacity_mAh_cm2":{{3 - c * 0.01}},"coulombic_efficiency_1":0.999}""");
        }
        yield return Message("anodefreerig/rig-01/ch1/state",
            """{"seq":9,"unix_time_s":1796112400,"run_state":"running","test_id":"t-1","protocol":"plate-strip","cell":{"name":"HC-01","chemistry":"AnodeFreeHalfCell","area_cm2":0.785},"voltage_V":0.06,"faults":[]}""");
        yield return Message("anodefreerig/rig-01/status", "online");
        yield return Message("anodefreerig/rig-01/ch1/spectrum",
            """{"seq":1,"test_id":"t-1","channel":"ch1","cycle":1,"step":2,"step_text":"Impedance","analyzer":"sim","started":"2026-12-01T10:01:00+00:00","ended":"2026-12-01T10:02:00+00:00","amplitude_V":0.03,"bias_V":0.2,"points":{"f_Hz":[1000000,1000,1,0.1],"z_re_ohm":[100,150,400,420],"z_im_ohm":[-5,-40,-200,-900],"status":["ok","ok","ok","overload"]},"fit":{"model":"m","weights":"modulus","relative_misfit":0.002,"points_used":3,"parameters":{"R_bulk":{"value":95.4,"error":0.3},"R_int":{"value":250,"error":2}}},"ionic_conductivity_S_per_cm":{"value":0.001,"error":0.000003}}""");
        yield return Message("anodefreerig/rig-01/ch1/spectrum",
            """{"seq":2,"test_id":"t-1","channel":"ch1","cycle":3,"step":2,"started":"2026-12-01T10:05:00+00:00","ended":"2026-12-01T10:06:00+00:00","points":{"f_Hz":[1000],"z_re_ohm":[150],"z_im_ohm":[-40],"status":["ok"]},"fit":null,"fit_problem":"too few points"}""");
    }
}
