using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rig.Files;
using Rig.Service.Configuration;
using Rig.Service.Metrics;
using Rig.Service.Telemetry.Commands;
using Rig.Service.Tests.Support;

namespace Rig.Service.Tests.Hostile;

/// <summary>
/// Issue 22: a FIFO outside /dev (mkfifo in any folder) given to analyze blocked the open for ever, on the CLI and over
/// MQTT. Anything that is not a regular file is refused before it is read (RegularFile: opened non-blocking, statx).
/// Every wait below is a hang guard on its own token, not a timing: on the old code the open never returns.
/// </summary>
[Collection(nameof(ConsoleCapture))]
public sealed class NotARegularFileTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("rig-not-regular-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    [Fact]
    public async Task Analyze_on_the_command_line_refuses_a_fifo_in_a_temporary_folder_without_blocking()
    {
        var fifo = HostileFiles.MakeFifo(Path.Combine(_state, "data.bdf.csv"));

        var (exit, error) = await ConsoleCapture.StandardErrorOfAsync(() => AnalyzeCommandLine.RunAsync(["analyze", fifo]));

        Assert.Equal(Rig.Service.CommandLine.ExitCodes.DataError, exit);
        Assert.Contains("FIFO", error, StringComparison.Ordinal);
        Assert.Contains(fifo, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Analyze_over_mqtt_refuses_a_fifo_or_a_fifo_sidecar_in_the_exports_folder_without_blocking()
    {
        var exports = Directory.CreateDirectory(Path.Combine(_state, "exports")).FullName;
        HostileFiles.MakeFifo(Path.Combine(exports, "pipe.bdf.csv"));
        // A regular data file whose metadata sidecar is a FIFO: the sidecar is read first.
        await File.WriteAllTextAsync(Path.Combine(exports, "good.bdf.csv"), "Test Time / s,Current / A,Voltage / V\n0,0.001,3.2\n");
        HostileFiles.MakeFifo(Path.Combine(exports, "good.bdf.metadata.json"));
        var verbs = new AnalyzeVerbs(Options.Create(new RigOptions { StateDirectory = _state }), new ServiceCollection().BuildServiceProvider());

        var pipe = await HandleAsync(verbs, """{ "file": "pipe.bdf.csv" }""");
        var sidecar = await HandleAsync(verbs, """{ "file": "good.bdf.csv" }""");

        Assert.False(pipe.Ok);
        Assert.Contains("a FIFO (named pipe), not a regular file", pipe.Message, StringComparison.Ordinal);
        Assert.False(sidecar.Ok);
        Assert.Contains("metadata sidecar cannot be read", sidecar.Message, StringComparison.Ordinal);
        Assert.Contains("FIFO", sidecar.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bounded_read_names_what_the_file_is_instead_of_waiting_out_its_time_bound()
    {
        var fifo = HostileFiles.MakeFifo(Path.Combine(_state, "preset.json"));
        var dangling = Path.Combine(_state, "dangling.json");
        File.CreateSymbolicLink(dangling, Path.Combine(_state, "nowhere.json"));
        var loop = Path.Combine(_state, "loop.json");
        File.CreateSymbolicLink(loop, loop);
        var regular = Path.Combine(_state, "fine.json");
        await File.WriteAllTextAsync(regular, "{}");

        // A time bound far beyond the hang guard: the FIFO must be refused for what it is, not timed out.
        string Refusal(string path, int max = 1024) =>
            Assert.Throws<InvalidDataException>(() => BoundedFile.ReadAllText(path, max, TimeSpan.FromHours(1))).Message;
        var answers = await HostileFiles.WithinHangGuardAsync(() => new[]
        {
            Refusal(fifo), Refusal("/dev/null"), Refusal(_state), Refusal(dangling), Refusal(loop), Refusal(regular, max: 1),
        });

        Assert.Contains("a FIFO (named pipe), not a regular file", answers[0], StringComparison.Ordinal);
        Assert.Contains("a character device", answers[1], StringComparison.Ordinal);
        Assert.Contains("a directory", answers[2], StringComparison.Ordinal);
        Assert.Contains("does not exist (or is a link to nothing)", answers[3], StringComparison.Ordinal);
        Assert.Contains("link loop", answers[4], StringComparison.Ordinal);
        Assert.Contains("larger than 1 bytes", answers[5], StringComparison.Ordinal);
        Assert.Equal("{}", BoundedFile.ReadAllText(regular, 1024));
    }

    [Fact]
    public async Task A_fifo_in_place_of_a_twin_calibration_file_is_ignored_without_blocking()
    {
        var files = new Rig.Service.Engine.Simulation.TwinCalibrationFiles(_state);
        Directory.CreateDirectory(Path.GetDirectoryName(files.PathFor("ch1"))!);
        HostileFiles.MakeFifo(files.PathFor("ch1"));

        var loaded = await HostileFiles.WithinHangGuardAsync(() => files.Load("ch1", new ChannelOptions()));

        Assert.Null(loaded); // the configured twin runs, as for any unreadable file
    }

    private static async Task<CommandReply> HandleAsync(AnalyzeVerbs verbs, string payload)
    {
        var args = CommandArguments.Parse(Encoding.UTF8.GetBytes(payload), verbs.Verbs["analyze"], out var why);
        Assert.True(args is not null, why);
        using var guard = new CancellationTokenSource(HostileFiles.HangGuard);
        return await Task.Run(() => verbs.HandleAsync("analyze", args!, guard.Token), guard.Token).WaitAsync(guard.Token);
    }
}
