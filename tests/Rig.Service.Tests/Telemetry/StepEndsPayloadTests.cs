using System.Text.Json;
using Rig.Service.Channels;
using Rig.Service.Engine;
using Rig.Service.Telemetry;
using Rig.Service.Tests.Engine;

namespace Rig.Service.Tests.Telemetry;

/// <summary>
/// The state's "step_ends": each end condition of the running step as the engine checks it (resolved target, the
/// step's own charge and time), so a dashboard shows step progress without parsing the step's text.
/// </summary>
public sealed class StepEndsPayloadTests
{
    private const string HalfCell = """
        { "name": "step ends", "cell": "AnodeFreeHalfCell",
          "safety": { "voltage": "-1 V to 3.5 V", "maxCurrent": "10 mA/cm2" },
          "steps": [ "Rest for 30 s", "Plate at 1 mA/cm2 for 0.05 mAh/cm2", "Strip at 1 mA until 2 V", "Plate at 0.5 mA for 0.2 mAh" ] }
        """;

    [Fact]
    public async Task Each_step_publishes_its_end_conditions_with_the_engines_progress_toward_them()
    {
        var rig = SimulatedRig.HalfCell();
        var engine = rig.Start(HalfCell);
        var run = rig.Runner(TimeSpan.FromSeconds(1));

        await run.RunAsync(engine, 10_000, e => e.StepText == "Rest for 30 s" && e.State.StepSeconds >= 12);
        var rest = Assert.Single(Ends(engine));
        Assert.Equal(("time", 30.0, "s"), Target(rest));
        Assert.Equal(engine.State.StepSeconds, rest.GetProperty("now").GetDouble(), 6);

        await run.RunAsync(engine, 10_000, e => e.StepText!.StartsWith("Plate at 1 mA/cm2", StringComparison.Ordinal) && e.State.StepSeconds >= 60);
        var plate = Assert.Single(Ends(engine));
        Assert.Equal(("capacity", 0.05, "mAh/cm2"), Target(plate));
        // 60 s at 1 mA/cm2 of a 0.05 mAh/cm2 step: a third of the way (per cm2, as the protocol wrote it)
        Assert.InRange(plate.GetProperty("now").GetDouble(), 60 / 3600.0 * 0.98, 61 / 3600.0 * 1.02);

        await run.RunAsync(engine, 10_000, e => e.StepText!.StartsWith("Strip", StringComparison.Ordinal) && e.State.StepSeconds >= 2);
        var strip = Assert.Single(Ends(engine));
        Assert.Equal(("voltage", 2.0, "V"), Target(strip));
        Assert.Equal("rising", strip.GetProperty("direction").GetString());
        Assert.False(strip.TryGetProperty("now", out _)); // read against the state's voltage_V

        await run.RunAsync(engine, 100_000, e => e.StepText!.StartsWith("Plate at 0.5 mA", StringComparison.Ordinal) && e.State.StepSeconds >= 2);
        var absolute = Assert.Single(Ends(engine));
        Assert.Equal(("capacity", 0.2, "mAh"), Target(absolute));
    }

    [Fact]
    public async Task Capacity_retention_mode_publishes_what_the_previous_strip_passed_not_the_written_capacity()
    {
        var rig = SimulatedRig.HalfCell();
        var engine = rig.Start(SimulatedRig.Preset("plating-stripping-1mAh"), new Dictionary<string, string>
        {
            ["rest"] = "2 s", ["capacity"] = "0.02 mAh/cm2", ["current"] = "2 mA/cm2", ["cycles"] = "5",
        });
        var run = rig.Runner(TimeSpan.FromSeconds(1));

        await run.RunAsync(engine, 100_000, e => e.State.Cycle == 2 && e.StepText!.StartsWith("Plate", StringComparison.Ordinal) && e.State.StepSeconds >= 2);
        var plate = Assert.Single(Ends(engine));
        var stripped = engine.State.PreviousDischargeAmpSeconds / 3.6 / SimulatedRig.AreaCm2; // mAh/cm2
        Assert.Equal("capacity", plate.GetProperty("quantity").GetString());
        Assert.Equal(stripped, plate.GetProperty("value").GetDouble(), 6);
        Assert.True(stripped < 0.02 * 0.99, $"the first strip returns less than was plated (ICE < 1): {stripped}");
    }

    [Fact]
    public void An_idle_channel_has_no_step_ends()
    {
        using var json = JsonDocument.Parse(StatePayload.Build("ch1", DateTimeOffset.UnixEpoch, null, ChannelSnapshot.Empty("ch1"), null, null));
        Assert.Equal(0, json.RootElement.GetProperty("step_ends").GetArrayLength());
    }

    private static List<JsonElement> Ends(CyclingEngine engine)
    {
        var json = JsonDocument.Parse(StatePayload.Build("ch1", DateTimeOffset.UnixEpoch, engine.Status(), ChannelSnapshot.Empty("ch1"), null, null));
        return [.. json.RootElement.GetProperty("step_ends").EnumerateArray()];
    }

    private static (string?, double, string?) Target(JsonElement end) =>
        (end.GetProperty("quantity").GetString(), Math.Round(end.GetProperty("value").GetDouble(), 9), end.GetProperty("unit").GetString());
}
