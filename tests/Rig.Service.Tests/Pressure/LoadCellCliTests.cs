using Microsoft.Extensions.Configuration;
using Rig.Service.PressureSupervision.Cli;

namespace Rig.Service.Tests.PressureSupervision;

public sealed class LoadCellCliTests : IDisposable
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), "rig-cli-" + Guid.NewGuid().ToString("N"));

    private IConfiguration Configuration() => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Rig:StateDirectory"] = _state,
        ["Rig:Channels:ch1:Cell:Name"] = "HC-bench",
        ["Rig:Channels:ch1:Clamp:Kind"] = "Simulated",
        ["Rig:Channels:ch1:Simulation:Clamp:PreloadNewtons"] = "0",
        ["Rig:Channels:ch1:Simulation:Clamp:DriftNewtonsPerHour"] = "0",
    }).Build();

    [Fact]
    public async Task Arguments_that_are_not_a_loadcell_verb_leave_the_service_to_start()
    {
        Assert.Null(await LoadCellCli.TryRunAsync([], Configuration()));
        Assert.Null(await LoadCellCli.TryRunAsync(["--Rig:Id=x"], Configuration()));
    }

    [Fact]
    public async Task Tare_writes_the_clamps_calibration_file_and_read_lists_counts_force_and_pressure()
    {
        var output = new StringWriter();

        var tare = await LoadCellCli.TryRunAsync(["loadcell", "tare", "ch1"], Configuration(), output);
        var read = await LoadCellCli.TryRunAsync(["loadcell", "read", "ch1", "3"], Configuration(), output);

        Assert.Equal(0, tare);
        Assert.Equal(0, read);
        Assert.True(File.Exists(Path.Combine(_state, "calibration", "ch1.json")));
        Assert.Contains("tared: zero =", output.ToString());
        Assert.Contains("raw_counts", output.ToString());
    }

    [Fact]
    public async Task A_span_with_no_load_on_the_clamp_is_refused_and_nothing_is_saved()
    {
        var output = new StringWriter();
        await LoadCellCli.TryRunAsync(["loadcell", "tare", "ch1"], Configuration(), output);
        var saved = File.ReadAllText(Path.Combine(_state, "calibration", "ch1.json"));

        var span = await LoadCellCli.TryRunAsync(["loadcell", "span", "ch1", "500N"], Configuration(), output);

        Assert.Equal(1, span);
        Assert.Contains("span refused", output.ToString());
        Assert.Equal(saved, File.ReadAllText(Path.Combine(_state, "calibration", "ch1.json")));
    }

    [Fact]
    public async Task An_unknown_channel_or_verb_is_a_usage_error()
    {
        var output = new StringWriter();
        Assert.Equal(2, await LoadCellCli.TryRunAsync(["loadcell", "read", "ch9"], Configuration(), output));
        Assert.Equal(2, await LoadCellCli.TryRunAsync(["loadcell", "weigh", "ch1"], Configuration(), output));
        Assert.Equal(2, await LoadCellCli.TryRunAsync(["loadcell", "span", "ch1", "lots"], Configuration(), output));
    }

    public void Dispose()
    {
        if (Directory.Exists(_state))
        {
            Directory.Delete(_state, recursive: true);
        }
    }
}
