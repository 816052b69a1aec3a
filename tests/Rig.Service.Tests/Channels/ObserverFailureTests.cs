using Microsoft.Extensions.Logging.Abstractions;
using Rig.Drivers.Faults;
using Rig.Service.Channels;
using Rig.Service.Tests.Support;
using UnitsNet;

namespace Rig.Service.Tests.Channels;

public class ObserverFailureTests
{
    [Fact]
    public async Task An_observer_that_throws_turns_the_output_off_raises_an_alarm_and_the_loop_goes_on()
    {
        var rig = new TestRig();
        var raised = new List<RigEvent>();
        rig.Events.Raised += raised.Add;
        var instrument = rig.Hardware.Simulation.Instruments["ch1"];
        await instrument.SourceCurrentAsync(ElectricCurrent.FromMilliamperes(-0.785), ElectricPotential.FromVolts(2), CancellationToken.None);
        var counting = new CountingObserver();
        var loop = rig.Loop("ch1", new ThrowingObserver(), counting);

        await loop.TickAsync(CancellationToken.None);
        rig.Time.Advance(TimeSpan.FromSeconds(1));
        await loop.TickAsync(CancellationToken.None);

        Assert.False(instrument.OutputOn);
        Assert.Equal(2, raised.Count(e => e.Code == "channel.observer_failed" && e.Severity == RigEventSeverity.Alarm));
        Assert.Equal(2, counting.Samples); // the observers after it still hear every sample
    }

    [Fact]
    public void Events_raised_before_a_subscriber_arrives_reach_it_once_and_in_order()
    {
        var events = new RigEvents(NullLogger<RigEvents>.Instance);
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        events.Raise(new RigEvent(at, RigEventSeverity.Warning, "ch1", "engine.test_interrupted", "first"));
        events.Raise(new RigEvent(at, RigEventSeverity.Warning, "ch2", "engine.test_interrupted", "second"));
        var seen = new List<string>();

        events.SubscribeWithHistory(e => seen.Add(e.Message));
        events.Raise(new RigEvent(at, RigEventSeverity.Info, "rig", "later", "third"));

        Assert.Equal(["first", "second", "third"], seen);
    }

    private sealed class ThrowingObserver : IChannelObserver
    {
        public ValueTask OnSampleAsync(ChannelSample sample, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("NaN is not valid JSON");

        public ValueTask OnFaultAsync(string channelId, HardwareFault fault, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    private sealed class CountingObserver : IChannelObserver
    {
        public int Samples { get; private set; }

        public ValueTask OnSampleAsync(ChannelSample sample, CancellationToken cancellationToken)
        {
            Samples++;
            return ValueTask.CompletedTask;
        }

        public ValueTask OnFaultAsync(string channelId, HardwareFault fault, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
