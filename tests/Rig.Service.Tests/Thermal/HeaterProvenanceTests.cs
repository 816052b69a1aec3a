using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rig.Service.Channels;
using Rig.Service.Control;
using Rig.Service.Engine;
using Rig.Service.Store;
using Rig.Service.Tests.Support;
using Rig.Service.Thermal;

namespace Rig.Service.Tests.Thermal;

/// <summary>A test's start record carries the gains and set-point its heater zone ran with, and where they came from.</summary>
public sealed class HeaterProvenanceTests
{
    [Fact]
    public async Task A_test_started_after_an_operator_changed_the_gains_records_them_and_the_store_keeps_them()
    {
        var rig = new TestRig();
        var reaction = new ZoneFaultReaction(rig.Events, rig.State, rig.Time, new Dictionary<string, IReadOnlyList<string>>(), NullLogger<ZoneFaultReaction>.Instance);
        using var zones = new HeaterZones(rig.Hardware, rig.Options, rig.State, reaction, rig.Time, NullLoggerFactory.Instance);
        var zoneId = rig.Options.Value.Channels["ch1"].HeaterZone;
        Assert.Equal("configuration", zones.Current(zoneId)!.Source);
        Assert.True(zones.SetGains(zoneId, new PidGains(0.7, 0.003, 8)).Accepted);
        var recorder = new InMemoryTestRecorder();
        var engine = new EngineHost(rig.Hardware, recorder, rig.Events, rig.Options, Options.Create(new EngineOptions()), rig.Time,
            NullLogger<EngineHost>.Instance, rig.State, zones);
        var loop = rig.Loop("ch1", engine);

        var started = await engine.StartAsync(new StartTestRequest("ch1", "plating-stripping-1mAh", null), CancellationToken.None);
        for (var i = 0; i < 3; i++)
        {
            rig.Time.Advance(TimeSpan.FromSeconds(1));
            await loop.TickAsync(CancellationToken.None);
        }

        Assert.True(started.Accepted, started.Message);
        var heater = Assert.Single(recorder.Starts).Heater!;
        Assert.Equal(zoneId, heater.ZoneId);
        Assert.Equal(new PidGains(0.7, 0.003, 8), heater.Gains);
        Assert.Equal("operator", heater.Source);
        Assert.Equal(rig.Options.Value.HeaterZones[zoneId].SetpointCelsius, heater.SetpointCelsius, 6);

        var db = Path.Combine(rig.Options.Value.ResolveStateDirectory(), "provenance.db");
        using (var store = new RigStore(db, syncEveryCommit: false))
        {
            store.AddTest(recorder.Starts[0]);
            Assert.Equal(heater, Assert.Single(store.ListTests()).Start.Heater);
        }
    }
}
