using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Rig.Service.Channels;
using Rig.Service.Configuration;
using Rig.Service.Control;
using Rig.Service.Engine;
using Rig.Service.Export;
using Rig.Service.Hardware;
using Rig.Service.Store;
using Rig.Service.Tests.Store;

namespace Rig.Service.Tests.Metrics;

/// <summary>
/// A preset run to its end on the simulated rig (virtual clock, real SQLite store), optionally paused and resumed in the
/// middle, then exported: the files an operator would hand to another lab.
/// </summary>
internal sealed record ExportedRun(string TestId, string Samples, string Cycles, string Metadata, RigStore Store) : IDisposable
{
    public static async Task<ExportedRun> RunAsync(string directory, CellChemistry chemistry, string preset, Dictionary<string, string> parameters,
        TimeSpan samplePeriod, int pauseAtSample = -1, int pausedSamples = 0)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
        var options = new RigOptions { StateDirectory = directory };
        options.Channels["ch1"] = new ChannelOptions { Cell = new CellOptions { Name = "AF-07", Chemistry = chemistry } };
        var hardware = new RigHardwareBuilder(Options.Create(options), time).Build();
        var events = new RigEvents(NullLogger<RigEvents>.Instance);
        var store = new RigStore(Path.Combine(directory, "rig.db"));
        var host = new EngineHost(hardware, StoreRecordingTests.Recorder(store), events, Options.Create(options), Options.Create(new EngineOptions()), time,
            NullLogger<EngineHost>.Instance);
        var loop = new ChannelLoop(hardware.Channels["ch1"], new RigState(), events, [host], time, samplePeriod, TimeSpan.FromSeconds(3),
            NullLogger<ChannelLoop>.Instance);
        var started = await host.StartAsync(new StartTestRequest("ch1", preset, null, parameters), CancellationToken.None);
        Assert.True(started.Accepted, started.Message);
        for (var i = 0; i < 200_000 && host.Status()[0].State is RunState.Running or RunState.Paused; i++)
        {
            if (i == pauseAtSample)
            {
                Assert.True((await host.PauseAsync("ch1", "operator", CancellationToken.None)).Accepted);
            }
            if (i == pauseAtSample + pausedSamples && pauseAtSample >= 0)
            {
                Assert.True((await host.ResumeAsync("ch1", CancellationToken.None)).Accepted);
            }
            time.Advance(samplePeriod);
            await loop.TickAsync(CancellationToken.None);
        }
        Assert.Equal(RunState.Finished, host.Status()[0].State);
        var files = await new BdfExporter(store).ExportAsync(started.Id!, Path.Combine(directory, "export"), CancellationToken.None);
        return new ExportedRun(started.Id!, files![0], files[1], files[2], store);
    }

    public void Dispose() => Store.Dispose();
}
