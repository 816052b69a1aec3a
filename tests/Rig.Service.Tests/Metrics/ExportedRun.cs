using Rig.Service.Configuration;
using Rig.Service.Control;
using Rig.Service.Engine;
using Rig.Service.Export;
using Rig.Service.Store;
using Rig.Service.Tests.Store;
using Rig.Service.Tests.Support;

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
        var store = new RigStore(Path.Combine(directory, "rig.db"));
        var rig = new EngineRig(directory, new ChannelOptions { Cell = new CellOptions { Name = "AF-07", Chemistry = chemistry } },
            StoreRecordingTests.Recorder(store));
        var time = rig.Time;
        var host = rig.NewHost();
        var loop = rig.LoopFor(host, samplePeriod);
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
