using Rig.Drivers.LoadCells.Calibration;
using Rig.Service.Control;
using Rig.Service.PressureSupervision;
using Rig.Service.Tests.Support;
using UnitsNet;

namespace Rig.Service.Tests.PressureCommands;

public class ClampCommandsTests
{
    [Fact]
    public async Task Tare_with_the_clamp_open_then_span_with_a_known_load_calibrates_the_running_sensor_and_stores_it()
    {
        var rig = new TestRig(new() { ["Rig:StateDirectory"] = TempDirectory() });
        var commands = new ClampCommands(rig.Hardware, rig.State, rig.Options, rig.Time);
        var clamp = rig.Hardware.Simulation.Clamps["ch1"];
        var preload = clamp.TrueForce;

        clamp.ExternalForce = -preload; // clamp opened: no load on the cell
        var tare = await Run(rig, commands.TareAsync("ch1", CancellationToken.None));
        clamp.ExternalForce = Force.FromNewtons(1000) - preload; // a 1000 N reference load
        var span = await Run(rig, commands.CalibrateAsync("ch1", Force.FromNewtons(1000), CancellationToken.None));

        Assert.True(tare.Accepted, tare.Message);
        Assert.True(span.Accepted, span.Message);
        var sensor = Assert.IsType<CalibratedForceSensor>(rig.Hardware.Channels["ch1"].ForceSensor);
        Assert.Equal(1000, (await sensor.ReadAsync(CancellationToken.None)).Force.Newtons, 0);
        Assert.True(File.Exists(Path.Combine(rig.Options.Value.ResolveStateDirectory(), "calibration", "ch1.json")));
    }

    [Fact]
    public async Task A_span_before_a_tare_is_refused_and_changes_nothing()
    {
        var rig = new TestRig(new() { ["Rig:StateDirectory"] = TempDirectory() });
        var commands = new ClampCommands(rig.Hardware, rig.State, rig.Options, rig.Time);
        var sensor = Assert.IsType<CalibratedForceSensor>(rig.Hardware.Channels["ch1"].ForceSensor);
        var before = sensor.Calibration;

        var span = await Run(rig, commands.CalibrateAsync("ch1", Force.FromNewtons(1000), CancellationToken.None));

        Assert.False(span.Accepted);
        Assert.Contains("tare first", span.Message, StringComparison.Ordinal);
        Assert.Same(before, sensor.Calibration);
    }

    [Fact]
    public async Task While_a_calibration_owns_the_load_cell_the_loop_leaves_it_alone_and_a_second_one_is_refused()
    {
        var rig = new TestRig(new() { ["Rig:StateDirectory"] = TempDirectory() });
        var commands = new ClampCommands(rig.Hardware, rig.State, rig.Options, rig.Time);
        Assert.True(rig.State.TryBeginClampCalibration("ch1")); // what a running calibration holds

        await rig.Loop("ch1").TickAsync(CancellationToken.None);
        var second = await commands.TareAsync("ch1", CancellationToken.None);

        Assert.Null(rig.State.Channel("ch1").Latest!.Value.Force);
        Assert.Empty(rig.State.Channel("ch1").Faults);
        Assert.False(second.Accepted);
        Assert.Contains("already running", second.Message, StringComparison.Ordinal);
    }

    private static async Task<CommandResult> Run(TestRig rig, Task<CommandResult> calibration)
    {
        for (var i = 0; i < 10_000 && !calibration.IsCompleted; i++)
        {
            rig.Time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Yield();
        }
        return await calibration;
    }

    private static string TempDirectory() => TestScratch.NewStateDirectory();
}
