using Rig.Service.Channels;
using Rig.Service.Control;
using Rig.Service.Engine;
using Rig.Service.Tests.Support;

namespace Rig.Service.Tests.Hostile;

/// <summary>Issue 22: a test whose checkpoint cannot be resumed is marked faulted with the reason and the service runs on, never a crash loop.</summary>
public sealed class PoisonedCheckpointTests : IDisposable
{
    private readonly string _stateDirectory = Path.Combine(Path.GetTempPath(), "rig-poison-" + Guid.NewGuid().ToString("N"));
    private readonly InMemoryTestRecorder _recorder = new();
    private readonly EngineRig _rig;

    public PoisonedCheckpointTests() => _rig = new EngineRig(_stateDirectory, recorder: _recorder);

    private string CheckpointFile => Path.Combine(_stateDirectory, "checkpoints", "ch1.json");

    public void Dispose()
    {
        if (Directory.Exists(_stateDirectory))
        {
            Directory.Delete(_stateDirectory, recursive: true);
        }
    }

    [Theory]
    [InlineData("\"capacity\":\"1 mAh/cm2\"", "\"capacity\":\"NaN mAh/cm2\"")]
    [InlineData("\"TestSeconds\":", "\"TestSeconds\":-5,\"_x\":")]
    [InlineData("\"Instruction\":", "\"Instruction\":99999,\"_y\":")]
    [InlineData("\"CellAreaSquareCentimetres\":", "\"CellAreaSquareCentimetres\":0,\"_z\":")]
    public async Task A_running_test_whose_checkpoint_is_poisoned_is_marked_faulted_at_restart_and_the_channel_is_free(string find, string replace)
    {
        var first = _rig.NewHost();
        var started = await first.StartAsync(new StartTestRequest("ch1", "plating-stripping-1mAh", null), CancellationToken.None);
        Assert.True(started.Accepted, started.Message);
        var text = await File.ReadAllTextAsync(CheckpointFile);
        Assert.Contains(find, text, StringComparison.Ordinal);
        await File.WriteAllTextAsync(CheckpointFile, text.Replace(find, replace, StringComparison.Ordinal));

        // The service restarts on the same state directory (twice: the second start must not meet the checkpoint again).
        var restarted = _rig.NewHost();
        var again = _rig.NewHost();

        Assert.Equal(RunState.Idle, restarted.Status()[0].State);
        Assert.Equal(RunState.Idle, again.Status()[0].State);
        var alarm = Assert.Single(_rig.Events.Recent(), e => e.Code == "engine.checkpoint_rejected");
        Assert.Equal(RigEventSeverity.Alarm, alarm.Severity);
        Assert.Contains(started.Id!, alarm.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(CheckpointFile));
        Assert.True(File.Exists(CheckpointFile + ".rejected"));
        // The store learns the test's end with the reason, from the channel loop.
        await _rig.LoopFor(restarted).TickAsync(CancellationToken.None);
        var end = Assert.Single(_recorder.Ends);
        Assert.Equal(RunState.Faulted, end.FinalState);
        Assert.Contains("could not be resumed", end.Reason, StringComparison.Ordinal);
        // The channel takes a new test.
        Assert.True((await restarted.StartAsync(new StartTestRequest("ch1", "plating-stripping-1mAh", null), CancellationToken.None)).Accepted);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("{\"TestId\":\"t\",\"ChannelId\":\"ch1\",\"TestSeconds\":NaN}")]
    [InlineData("[1,2,3]")]
    [InlineData("null")]
    public void An_unreadable_checkpoint_is_moved_aside_with_an_alarm(string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(CheckpointFile)!);
        File.WriteAllText(CheckpointFile, content);

        var host = _rig.NewHost();

        Assert.Equal(RunState.Idle, host.Status()[0].State);
        Assert.Contains(_rig.Events.Recent(), e => e.Code == "engine.checkpoint_rejected");
        Assert.True(File.Exists(CheckpointFile + ".rejected"));
    }
}
