using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Rig.Service.Configuration;
using Rig.Service.Metrics;
using Rig.Service.Recording;
using Rig.Service.Telemetry;
using Rig.Service.Telemetry.Commands;

namespace Rig.Service.Tests.Metrics;

/// <summary>A test's data says what made it: build and commit, instrument identity, clamp calibration, heater; stored, exported, analysed, listed.</summary>
public sealed class ProvenanceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rig-provenance-").FullName;

    public void Dispose() => Directory.Delete(_directory, true);

    [Fact]
    public async Task The_start_record_carries_the_build_commit_the_instruments_identity_and_the_clamp_calibration_everywhere()
    {
        using var run = await ExportedRun.RunAsync(_directory, CellChemistry.AnodeFreeHalfCell, "plating-stripping-1mAh",
            new Dictionary<string, string> { ["rest"] = "5 s", ["capacity"] = "0.02 mAh/cm2", ["cycles"] = "1" }, TimeSpan.FromSeconds(5));

        var start = run.Store.FindTest(run.TestId)!.Start;
        // The SDK appends the git commit it built from: a version that names no commit cannot be traced to source.
        Assert.Matches(@"^\d+\.\d+\.\d+\+[0-9a-f]{40}$", start.SoftwareVersion);
        Assert.NotNull(start.Instrument);
        Assert.False(string.IsNullOrWhiteSpace(start.Instrument.Model));
        Assert.False(string.IsNullOrWhiteSpace(start.Instrument.SerialNumber));
        using (var calibration = JsonDocument.Parse(start.CalibrationJson!))
        {
            Assert.True(calibration.RootElement.GetProperty("CountsPerNewton").GetDouble() > 0);
            Assert.StartsWith("nominal", calibration.RootElement.GetProperty("Sensitivity").GetString(), StringComparison.Ordinal);
        }

        using (var sidecar = JsonDocument.Parse(File.ReadAllText(run.Metadata)))
        {
            var stored = sidecar.RootElement.GetProperty("extras").GetProperty("anodefreerig").GetProperty("start");
            Assert.Equal(start.SoftwareVersion, stored.GetProperty("software_version").GetString());
            Assert.Equal(start.Instrument.SerialNumber, stored.GetProperty("instrument").GetProperty("serial_number").GetString());
            Assert.Equal(start.CalibrationJson, stored.GetProperty("calibration_json").GetString());
        }

        var summary = JsonSerializer.SerializeToElement(AnalyzeCommandLine.Summary(BdfAnalyzer.Analyze(run.Samples)));
        Assert.Equal(start.SoftwareVersion, summary.GetProperty("provenance").GetProperty("software_version").GetString());

        var router = new CommandRouter([], run.Store,
            Options.Create(new RigOptions { StateDirectory = _directory }), Options.Create(new MqttOptions()));
        var reply = await router.HandleAsync("list-tests", new ReadOnlySequence<byte>("{}"u8.ToArray()), CancellationToken.None);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            reply.Data!(writer);
        }
        var listed = Assert.Single(JsonDocument.Parse(buffer.WrittenMemory).RootElement.EnumerateArray());
        Assert.Equal(start.SoftwareVersion, listed.GetProperty("software_version").GetString());
        Assert.Equal(start.Instrument.ToString(), listed.GetProperty("instrument").GetString());
        Assert.True(listed.GetProperty("calibration").GetProperty("CountsPerNewton").GetDouble() > 0);
    }
}
